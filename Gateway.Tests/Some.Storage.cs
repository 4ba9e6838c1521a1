using System.Globalization;
using System.Text;
using Vitals.Devices;
using Vitals.Gateway.Ingest.Mqtt;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Tests;

internal static partial class Some
{
    /// <summary>
    /// A binding's start before any reading a test sends: a binding covers only readings taken in its validity, and
    /// these tests mean "the device was bound all along".
    /// </summary>
    public static DateTimeOffset BoundLongAgo { get; } = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A thermometer reading whose device time and measurement id make its identity.</summary>
    public static Reading StoredThermometer(
        string deviceId = "thermo-1", decimal celsius = 37.60m, DateTimeOffset? at = null, string? measurementId = null) =>
        new()
        {
            DeviceId = deviceId,
            Kind = VitalKind.BodyTemperature,
            EffectiveTime = at ?? MeasuredAt,
            TimeQuality = TimeQuality.DeviceWithOffset,
            DeviceTime = (at ?? MeasuredAt).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture),
            MeasurementId = measurementId,
            Value = new Quantity(celsius, Ucum.Celsius),
            Site = "oral",
        };

    /// <summary>A blood-pressure reading with every field set.</summary>
    public static Reading StoredCuff(string deviceId = "cuff-1", DateTimeOffset? at = null, string? measurementId = "42") =>
        new()
        {
            DeviceId = deviceId,
            Kind = VitalKind.BloodPressure,
            EffectiveTime = at ?? MeasuredAt,
            TimeQuality = TimeQuality.AssumedLocalZone,
            DeviceTime = (at ?? MeasuredAt).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
            MeasurementId = measurementId,
            Systolic = new Quantity(128.0m, Ucum.MillimetreMercury),
            Diastolic = new Quantity(82m, Ucum.MillimetreMercury),
            MeanArterial = new Quantity(97.30m, Ucum.MillimetreMercury),
            Pulse = new Quantity(64m, Ucum.PerMinute),
            Status = MeasurementStatus.IrregularPulse | MeasurementStatus.BodyMovement,
        };

    /// <summary>The JSON payload a reading plausibly arrived in, per the MQTT contract.</summary>
    public static byte[] PayloadCarrying(Reading reading)
    {
        var json = reading.Value is { } value
            ? $$"""{"value": {{value.Value.ToString(CultureInfo.InvariantCulture)}}, "unit": "{{value.Unit}}", "time": "{{reading.DeviceTime}}"}"""
            : $$"""{"systolic": {{reading.Systolic?.Value}}, "diastolic": {{reading.Diastolic?.Value}}, "unit": "mm[Hg]", "time": "{{reading.DeviceTime}}"}""";
        return Encoding.UTF8.GetBytes(json);
    }

    /// <summary>What an MQTT publish of <paramref name="reading"/> by <paramref name="client"/> is kept as.</summary>
    public static string MqttOrigin(Reading reading, string client = "publisher-1") =>
        new MqttSource($"vitals/{reading.DeviceId}/{reading.Kind.ToTopicName()}", client).ToString();

    public static IngestRecord AcceptedRecord(Reading reading, DateTimeOffset? receivedAt = null) =>
        new IngestRecord.Accepted(MqttOrigin(reading), receivedAt ?? reading.EffectiveTime.AddSeconds(2), PayloadCarrying(reading), reading);

    public static IngestRecord RejectedRecord(
        byte[]? payload = null, string topic = "vitals/thermo-1/body-temperature", DecodeError? error = null, DateTimeOffset? receivedAt = null) =>
        new IngestRecord.Rejected(
            new MqttSource(topic, "publisher-9").ToString(), receivedAt ?? MeasuredAt, payload ?? "{\"value\": NaN"u8.ToArray(),
            error ?? new DecodeError("$.value", "not a number"));

    /// <summary>Thermometer readings of one device one minute apart, each its own measurement.</summary>
    public static IReadOnlyList<IngestRecord> ThermometerBatch(string deviceId, int count, int firstMinute = 0) =>
        Enumerable.Range(firstMinute, count)
            .Select(i => AcceptedRecord(StoredThermometer(deviceId, 36.0m + (i % 30) / 10m, MeasuredAt.AddMinutes(i))))
            .ToList();
}
