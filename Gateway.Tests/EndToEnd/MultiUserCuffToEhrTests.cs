using System.Globalization;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Vitals.Devices.Gatt;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Tests.Ingest.Mqtt;

namespace Vitals.Gateway.Tests.EndToEnd;

/// <summary>
/// A two-user blood-pressure cuff behind a BLE-to-MQTT bridge (raw 0x2A35 values with a User ID, Blood Pressure
/// Service 1.1) -> the gateway executable -> the sandbox FHIR server. Each user's readings are filed on the patient
/// bound to that user's slot; a user without a binding is quarantined, never filed on another user's patient.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class MultiUserCuffToEhrTests
{
    private const string Cuff = "cuff-two-users";

    [Fact]
    public async Task Each_users_readings_reach_their_own_patient_and_an_unbound_users_are_quarantined()
    {
        await using var ehr = await SandboxEhrProcess.StartAsync();
        await using var gateway = await GatewayProcess.StartAsync(ehr.BaseUrlText, new Dictionary<string, string?>
        {
            ["Ingest:TimeZone"] = "UTC",
            ["TZ"] = "UTC",
        });
        foreach (var user in new[] { 1, 2 })
        {
            var (exit, output) = await gateway.CliAsync("devices", "bind", "--device", Cuff, "--user", user.ToString(CultureInfo.InvariantCulture),
                "--patient", $"Patient/cuff-user-{user}");
            Assert.True(exit == 0, output);
        }

        // The cuff's clock in UTC (Ingest:TimeZone), read after the binds (which start at the CLI's now, to the whole
        // second, as GATT time stamps are): each reading lies inside its slot's validity.
        var taken = DateTimeOffset.UtcNow.AddSeconds(-1);
        using var client = await MqttClients.ConnectAsync(gateway.MqttPort, MqttProtocolVersion.V500);
        // User 1 measures 121 mmHg systolic, user 2 132, user 3 (no binding) 143; one second apart, distinct readings.
        for (var user = 1; user <= 3; user++)
        {
            var at = taken.AddSeconds(user);
            var stamp = GattDateTime.FromLocal(at.UtcDateTime);
            var value = new BloodPressureMeasurement(new MedicalFloat(110 + 11 * user), new MedicalFloat(80), new MedicalFloat(94), false, stamp,
                new MedicalFloat(60 + user), UserId: (byte)user);
            var buffer = new byte[BloodPressureMeasurement.MaxLength];
            Assert.True(value.TryFormat(buffer, out var written));
            var result = await client.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic($"vitals/{Cuff}/gatt/{GattUuids.ToShort(GattUuids.BloodPressureMeasurement)}")
                .WithPayload(buffer[..written]).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            Assert.True(result.IsSuccess, result.ReasonString);
        }

        await Eventually.TrueAsync(async () =>
        {
            var status = await gateway.StatusAsync();
            return status.GetProperty("outbox").GetProperty("delivered").GetInt64() >= 2
                   && status.GetProperty("outbox").GetProperty("pending").GetInt64() == 0;
        }, TimeSpan.FromSeconds(60), "two readings delivered", TimeSpan.FromMilliseconds(200));

        // A cuff reading with a pulse is filed as a blood pressure and a heart rate Observation, both on the user's patient.
        var observations = (await ehr.SearchAllAsync("Observation")).Where(o => !EhrContents.IsCoincidentTimeStamp(o)).ToList();
        Assert.Equal(4, observations.Count);
        Assert.Equal(
            [("Patient/cuff-user-1", 121m), ("Patient/cuff-user-2", 132m)],
            observations.Where(o => o.TryGetProperty("component", out _))
                .Select(o => (o.GetProperty("subject").GetProperty("reference").GetString(), Systolic(o))).OrderBy(s => s.Item1));
        Assert.Equal(
            [("Patient/cuff-user-1", 61m), ("Patient/cuff-user-2", 62m)],
            observations.Where(o => !o.TryGetProperty("component", out _))
                .Select(o => (o.GetProperty("subject").GetProperty("reference").GetString(), o.GetProperty("valueQuantity").GetProperty("value").GetDecimal()))
                .OrderBy(s => s.Item1));
        var slots = (await gateway.StatusAsync()).GetProperty("slots").EnumerateArray()
            .Where(s => s.GetProperty("deviceId").GetString() == Cuff)
            .Select(s => (s.GetProperty("user").GetInt32(), s.GetProperty("bound").GetBoolean(), s.GetProperty("quarantined").GetInt64()));
        Assert.Equal([(1, true, 0L), (2, true, 0L), (3, false, 1L)], slots);
        var (_, quarantine) = await gateway.CliAsync("quarantine", "list");
        Assert.Matches($"\\n\\s*\\d+\\s+{Cuff}\\s+3\\s+blood-pressure\\s", quarantine);
    }

    /// <summary>The systolic component (LOINC 8480-6) of a blood-pressure Observation.</summary>
    private static decimal Systolic(JsonElement observation) =>
        observation.GetProperty("component").EnumerateArray()
            .Single(c => c.GetProperty("code").GetProperty("coding").EnumerateArray().Any(x => x.GetProperty("code").GetString() == "8480-6"))
            .GetProperty("valueQuantity").GetProperty("value").GetDecimal();
}
