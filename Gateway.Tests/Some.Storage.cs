using System.Globalization;
using System.Text;
using Vitals.Devices;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Tests;

internal static partial class Some
{
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

    /// <summary>The MQTT message a reading plausibly arrived in (topic and JSON payload per the MQTT contract).</summary>
    public static IncomingMessage MessageCarrying(Reading reading, DateTimeOffset? receivedAt = null, string source = "publisher-1")
    {
        var json = reading.Value is { } value
            ? $$"""{"value": {{value.Value.ToString(CultureInfo.InvariantCulture)}}, "unit": "{{value.Unit}}", "time": "{{reading.DeviceTime}}"}"""
            : $$"""{"systolic": {{reading.Systolic?.Value}}, "diastolic": {{reading.Diastolic?.Value}}, "unit": "mm[Hg]", "time": "{{reading.DeviceTime}}"}""";
        return new IncomingMessage(
            $"vitals/{reading.DeviceId}/{reading.Kind.ToTopicName()}",
            Encoding.UTF8.GetBytes(json),
            receivedAt ?? reading.EffectiveTime.AddSeconds(2),
            source);
    }

    public static IngestRecord AcceptedRecord(Reading reading, DateTimeOffset? receivedAt = null) =>
        IngestRecord.Accepted(MessageCarrying(reading, receivedAt), reading);

    public static IngestRecord RejectedRecord(
        byte[]? payload = null, string topic = "vitals/thermo-1/body-temperature", DecodeError? error = null, DateTimeOffset? receivedAt = null) =>
        IngestRecord.Rejected(
            new IncomingMessage(topic, payload ?? "{\"value\": NaN"u8.ToArray(), receivedAt ?? MeasuredAt, "publisher-9"),
            error ?? new DecodeError("$.value", "not a number"));

    /// <summary>Thermometer readings of one device one minute apart, each its own measurement.</summary>
    public static IReadOnlyList<IngestRecord> ThermometerBatch(string deviceId, int count, int firstMinute = 0) =>
        Enumerable.Range(firstMinute, count)
            .Select(i => AcceptedRecord(StoredThermometer(deviceId, 36.0m + (i % 30) / 10m, MeasuredAt.AddMinutes(i))))
            .ToList();
}
