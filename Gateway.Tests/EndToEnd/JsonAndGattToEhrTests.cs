using System.Globalization;
using System.Text.Json;
using Vitals.Devices;
using Vitals.Devices.Gatt;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Tests.Ingest.Mqtt;

namespace Vitals.Gateway.Tests.EndToEnd;

/// <summary>
/// Issue 11's identity rule end to end: the same measurements published once as MQTT JSON and once as the raw GATT
/// value a Bluetooth device sent (vitals/{id}/gatt/{uuid}), by the stock mosquitto_pub, in either order and with the
/// JSON time written with an offset other than the device's, are one reading each in the store and one Observation
/// each in the EHR.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class JsonAndGattToEhrTests
{
    [Fact]
    public async Task One_measurement_sent_as_JSON_and_as_raw_GATT_is_one_Observation_in_the_EHR()
    {
        await using var ehr = await SandboxEhrProcess.StartAsync();
        // A GATT Date Time has no zone: the gateway reads it in Ingest:TimeZone, the zone the "device" is set to here.
        await using var gateway = await GatewayProcess.StartAsync(ehr.BaseUrlText, new Dictionary<string, string?> { ["Ingest:TimeZone"] = "Europe/Berlin" });
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var taken = DateTimeOffset.UtcNow.AddMinutes(-30);
        taken = new DateTimeOffset(taken.Year, taken.Month, taken.Day, taken.Hour, taken.Minute, taken.Second, TimeSpan.Zero);
        string[] devices = ["thermo-jg", "cuff-jg", "scale-jg"];
        foreach (var device in devices)
        {
            // Bound from before the readings were taken: a binding covers only readings inside its validity.
            var (exit, output) = await gateway.CliAsync("devices", "bind", "--device", device, "--patient", $"Patient/{device}",
                "--from", taken.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            Assert.True(exit == 0, output);
        }

        Reading Base(string device, VitalKind kind, int minutes) => new()
        {
            DeviceId = device,
            Kind = kind,
            EffectiveTime = taken.AddMinutes(minutes),
        };
        var temperature = Base("thermo-jg", VitalKind.BodyTemperature, 0) with { Value = new Quantity(37.4m, Ucum.Celsius) };
        var pressure = Base("cuff-jg", VitalKind.BloodPressure, 1) with
        {
            Systolic = new Quantity(128m, Ucum.MillimetreMercury),
            Diastolic = new Quantity(82m, Ucum.MillimetreMercury),
            MeanArterial = new Quantity(97m, Ucum.MillimetreMercury),
            Pulse = new Quantity(71m, Ucum.PerMinute),
        };
        var weight = Base("scale-jg", VitalKind.BodyWeight, 2) with { Value = new Quantity(72.35m, Ucum.Kilogram) };

        // The JSON spelling: UTC ("Z"), where the device's own clock said Berlin time.
        string Time(Reading r) => r.EffectiveTime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var json = new Dictionary<Reading, (string Topic, string Payload)>
        {
            [temperature] = ("vitals/thermo-jg/body-temperature", $$"""{"value": 37.40, "unit": "Cel", "time": "{{Time(temperature)}}"}"""),
            [pressure] = ("vitals/cuff-jg/blood-pressure", $$"""{"systolic": 128, "diastolic": 82, "mean": 97, "pulse": 71, "unit": "mmHg", "time": "{{Time(pressure)}}"}"""),
            [weight] = ("vitals/scale-jg/body-weight", $$"""{"value": 72.35, "unit": "kg", "time": "{{Time(weight)}}"}"""),
        };

        // The thermometer's JSON first, the others' GATT first.
        await PublishJsonAsync(gateway, json[temperature]);
        foreach (var reading in new[] { temperature, pressure, weight })
            await PublishGattAsync(gateway, reading, berlin);
        await PublishJsonAsync(gateway, json[pressure]);
        await PublishJsonAsync(gateway, json[weight]);

        var outbox = await gateway.WaitForEmptyOutboxAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, outbox.GetProperty("rejected").GetInt64());
        Assert.Equal(3, outbox.GetProperty("delivered").GetInt64());
        Assert.Equal(3, StoreFile.CountReadings(gateway.StorePath));
        var observations = await ehr.SearchAllAsync("Observation");
        // Temperature, blood pressure, the cuff's pulse and the weight: once each.
        Assert.Equal(4, observations.Count);
        Assert.Equal(4, observations.Select(o => o.GetProperty("identifier")[0].GetProperty("value").GetString()).Distinct().Count());
        foreach (var device in devices)
        {
            var subjects = observations.Where(o => o.GetProperty("subject").GetProperty("reference").GetString() == $"Patient/{device}").ToList();
            Assert.NotEmpty(subjects);
        }
        var temperatureObservation = Assert.Single(observations, o => o.GetProperty("code").GetProperty("coding").EnumerateArray().Any(c => c.GetProperty("code").GetString() == "8310-5"));
        Assert.Equal(taken, DateTimeOffset.Parse(temperatureObservation.GetProperty("effectiveDateTime").GetString()!, CultureInfo.InvariantCulture));
    }

    private static async Task PublishJsonAsync(GatewayProcess gateway, (string Topic, string Payload) message) =>
        Assert.Equal(0, await MqttClients.MosquittoPubAsync(gateway.MqttPort, "mqttv311", message.Topic, message.Payload, qos: 1));

    private static async Task PublishGattAsync(GatewayProcess gateway, Reading reading, TimeZoneInfo deviceZone)
    {
        Assert.True(GattReadingEncoder.TryEncode(reading, deviceZone, out var uuid, out var value));
        var file = Path.Combine(gateway.Directory, $"gatt-{uuid:x4}.bin");
        await File.WriteAllBytesAsync(file, value);
        await using var p = ProcessRunner.Start("mosquitto_pub",
            ["-h", "127.0.0.1", "-p", gateway.MqttPort.ToString(CultureInfo.InvariantCulture), "-q", "1",
             "-t", $"vitals/{reading.DeviceId}/gatt/{uuid:x4}", "-f", file], name: "mosquitto_pub");
        Assert.Equal(0, await p.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }
}
