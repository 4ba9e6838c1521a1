using System.Globalization;
using Vitals.Devices;
using Vitals.Devices.Gatt;

namespace Vitals.Simulators.DeviceSimulator;

/// <summary>
/// What a BLE device behind a BLE-to-MQTT bridge would send for a reading: the characteristic value, formatted with the
/// Devices library's own <c>TryFormat</c> (the gateway decodes it with the matching <c>TryParse</c>). Respiratory rate
/// has no classic profile and goes as a whole Generic Health Sensor live observation (gatt.md).
/// </summary>
public static class GattPayloadEncoder
{
    private const uint MdcRespRate = 151562;
    private const uint MdcDimRespPerMin = 264928;
    private static readonly DateTime GhsEpoch = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// The 16-bit characteristic UUID and value for a reading. Device clocks have no zone: the time stamp is the
    /// device's local wall clock, here this machine's zone (the gateway reads it in Ingest:TimeZone, by default the
    /// same machine's).
    /// </summary>
    public static bool TryEncode(Reading reading, TimeZoneInfo deviceZone, out string uuid, out byte[] value)
    {
        Span<byte> buffer = stackalloc byte[64];
        var local = TimeZoneInfo.ConvertTime(reading.EffectiveTime, deviceZone).DateTime;
        var stamp = new GattDateTime((ushort)local.Year, (byte)local.Month, (byte)local.Day, (byte)local.Hour, (byte)local.Minute, (byte)local.Second);
        int written;
        bool ok;
        switch (reading.Kind)
        {
            case VitalKind.BodyTemperature when reading.Value is { } t:
                uuid = "2a1c";
                ok = new TemperatureMeasurement(new MedicalFloat(t.Value), t.Unit == Ucum.Fahrenheit, stamp).TryFormat(buffer, out written);
                break;
            case VitalKind.BloodPressure when reading.Systolic is { } sys && reading.Diastolic is { } dia:
                uuid = "2a35";
                ok = new BloodPressureMeasurement(
                    new MedicalFloat(sys.Value), new MedicalFloat(dia.Value),
                    reading.MeanArterial is { } mean ? new MedicalFloat(mean.Value) : MedicalFloat.NaN, // the cuff did not derive one
                    sys.Unit == Ucum.Kilopascal, stamp,
                    reading.Pulse is { } pulse ? new MedicalFloat(pulse.Value) : null).TryFormat(buffer, out written);
                break;
            case VitalKind.BodyWeight when reading.Value is { } w:
                var imperial = w.Unit == Ucum.Pound;
                var kilograms = w.Unit == Ucum.Gram ? w.Value / 1000m : w.Value;
                // Fixed resolution of the Weight Measurement: 0.005 kg or 0.01 lb steps.
                var steps = Math.Round(imperial ? w.Value / 0.01m : kilograms / 0.005m, MidpointRounding.AwayFromZero);
                uuid = "2a9d";
                ok = steps is > 0 and < WeightMeasurement.Unsuccessful;
                written = 0;
                if (ok) ok = new WeightMeasurement((ushort)steps, imperial, stamp).TryFormat(buffer, out written);
                break;
            case VitalKind.HeartRate when reading.Value is { } hr:
                uuid = "2a37";
                var rate = (ushort)Math.Round(hr.Value);
                ok = new HeartRateMeasurement(rate, rate > byte.MaxValue, SensorContact.Detected, null, false, []).TryFormat(buffer, out written);
                break;
            case VitalKind.OxygenSaturation when reading.Value is { } spo2:
                uuid = "2a5e";
                ok = new PlxSpotCheckMeasurement(new MedicalFloat(spo2.Value),
                    reading.Pulse is { } p ? new MedicalFloat(p.Value) : MedicalFloat.NaN, stamp).TryFormat(buffer, out written);
                break;
            case VitalKind.RespiratoryRate when reading.Value is { } resp:
                uuid = "2b8b";
                var ticks = (ulong)(reading.EffectiveTime.UtcDateTime - GhsEpoch).TotalSeconds;
                Span<byte> record = stackalloc byte[48];
                ok = new GhsObservation(MdcRespRate, MdcDimRespPerMin, new MedicalFloat(resp.Value),
                        new GhsTimeStamp(GhsTimeStamp.UtcFlag, ticks, 0, 0)).TryFormat(record, out var recordLength)
                    & new GhsSegment(true, true, 0, record[..recordLength]).TryFormat(buffer, out written);
                break;
            default:
                uuid = reading.Kind.ToString().ToLower(CultureInfo.InvariantCulture);
                value = [];
                return false;
        }
        value = ok ? buffer[..written].ToArray() : [];
        return ok;
    }
}
