namespace Vitals.Devices.Gatt;

/// <summary>
/// The inverse of <see cref="GattReadingDecoder"/>: what a Bluetooth LE device would send for a reading, the
/// characteristic and its value, formatted with each characteristic's own <c>TryFormat</c>. The simulators use it so
/// that no byte layout is written twice. Respiratory rate has no classic profile and goes as a whole Generic Health
/// Sensor live observation (one segment with first and last set).
/// </summary>
public static class GattReadingEncoder
{
    // The longest value: a GHS segment byte around a record with every optional field this library formats.
    private const int MaxValueLength = 64;

    /// <summary>
    /// The 16-bit characteristic UUID and value for <paramref name="reading"/>. Device clocks have no zone (GATT
    /// Specification Supplement, Date Time): the time stamp is the wall clock in <paramref name="deviceZone"/>. False
    /// for a reading the characteristic cannot carry (a weight outside the u16 steps, a heart rate above 65535).
    /// </summary>
    public static bool TryEncode(Reading reading, TimeZoneInfo deviceZone, out ushort uuid, out byte[] value)
    {
        ArgumentNullException.ThrowIfNull(reading);
        ArgumentNullException.ThrowIfNull(deviceZone);
        Span<byte> buffer = stackalloc byte[MaxValueLength];
        var stamp = GattDateTime.FromLocal(TimeZoneInfo.ConvertTime(reading.EffectiveTime, deviceZone).DateTime);
        var written = 0;
        bool ok;
        switch (reading.Kind)
        {
            case VitalKind.BodyTemperature when reading.Value is { } t:
                uuid = GattUuids.TemperatureMeasurement;
                ok = new TemperatureMeasurement(new MedicalFloat(t.Value), t.Unit == Ucum.Fahrenheit, stamp).TryFormat(buffer, out written);
                break;
            case VitalKind.BloodPressure when reading.Systolic is { } sys && reading.Diastolic is { } dia:
                uuid = GattUuids.BloodPressureMeasurement;
                ok = new BloodPressureMeasurement(
                    new MedicalFloat(sys.Value), new MedicalFloat(dia.Value),
                    reading.MeanArterial is { } mean ? new MedicalFloat(mean.Value) : MedicalFloat.NaN, // the cuff did not derive one
                    sys.Unit == Ucum.Kilopascal, stamp,
                    reading.Pulse is { } pulse ? new MedicalFloat(pulse.Value) : null).TryFormat(buffer, out written);
                break;
            case VitalKind.BodyWeight when reading.Value is { } w:
                uuid = GattUuids.WeightMeasurement;
                ok = WeightMeasurement.TryFrom(w, stamp, out var weight) && weight.TryFormat(buffer, out written);
                break;
            case VitalKind.HeartRate when reading.Value is { } hr:
                uuid = GattUuids.HeartRateMeasurement;
                var rate = Math.Round(hr.Value);
                ok = rate is >= 0 and <= ushort.MaxValue
                    && new HeartRateMeasurement((ushort)rate, rate > byte.MaxValue, SensorContact.Detected, null, false, []).TryFormat(buffer, out written);
                break;
            case VitalKind.OxygenSaturation when reading.Value is { } spo2:
                uuid = GattUuids.PlxSpotCheckMeasurement;
                ok = new PlxSpotCheckMeasurement(new MedicalFloat(spo2.Value),
                    reading.Pulse is { } p ? new MedicalFloat(p.Value) : MedicalFloat.NaN, stamp).TryFormat(buffer, out written);
                break;
            case VitalKind.RespiratoryRate when reading.Value is { } resp:
                uuid = GattUuids.LiveHealthObservations;
                Span<byte> record = stackalloc byte[MaxValueLength - 1];
                ok = new GhsObservation(GhsNomenclature.MdcRespRate, GhsNomenclature.UnitFor(VitalKind.RespiratoryRate, resp.Unit),
                        new MedicalFloat(resp.Value), GhsTimeStamp.FromUtc(reading.EffectiveTime)).TryFormat(record, out var recordLength)
                    && new GhsSegment(true, true, 0, record[..recordLength]).TryFormat(buffer, out written);
                break;
            default:
                uuid = 0;
                value = [];
                return false;
        }
        value = ok ? buffer[..written].ToArray() : [];
        return ok;
    }
}
