using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Vitals.Devices.Gatt;

/// <summary>
/// Turns one GATT characteristic value into a <see cref="Reading"/> through the characteristic decoders, then runs the
/// shared <see cref="Plausibility"/> rules like the JSON path. Stateless: a GHS record must arrive whole (one segment
/// with first and last set); reassembly of multi-segment records belongs to whoever sees the notification stream
/// (<see cref="GhsSegmentAssembler"/>). Never throws for any input; every error names the characteristic and the
/// byte offset ("0x2A35 byte 7"), each parser placing its own fields.
/// </summary>
public static class GattReadingDecoder
{
    private const string Decodable = "0x2A1C, 0x2A35, 0x2A37, 0x2A5E, 0x2A9D, 0x2B8B, 0x2BDD";

    /// <param name="uuid">The characteristic: four hex digits ("2a35", any case) or a full 128-bit UUID.</param>
    /// <param name="fallbackType">The thermometer's Temperature Type (0x2A1D, read once) for measurements that carry none.</param>
    public static bool TryDecode(string deviceId, string uuid, ReadOnlySpan<byte> value, DecodeContext context,
        [NotNullWhen(true)] out Reading? reading, out DecodeError error, TemperatureType? fallbackType = null)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        ArgumentNullException.ThrowIfNull(uuid);
        ArgumentNullException.ThrowIfNull(context);
        reading = null;
        if (!GattUuids.TryParseShort(uuid, out var shortUuid))
        {
            error = new("0x" + uuid.ToUpperInvariant(), $"not a health measurement characteristic this gateway decodes (it decodes {Decodable})");
            return false;
        }
        var ok = shortUuid switch
        {
            GattUuids.TemperatureMeasurement => TryTemperature(deviceId, value, context, fallbackType, out reading, out error),
            GattUuids.BloodPressureMeasurement => TryBloodPressure(deviceId, value, context, out reading, out error),
            GattUuids.IntermediateCuffPressure => RefuseCuffPressure(value, out error),
            GattUuids.WeightMeasurement => TryWeight(deviceId, value, context, out reading, out error),
            GattUuids.HeartRateMeasurement => TryHeartRate(deviceId, value, context, out reading, out error),
            GattUuids.PlxSpotCheckMeasurement => TryPlx(deviceId, value, context, out reading, out error),
            GattUuids.LiveHealthObservations => TryGhs(deviceId, value, stored: false, context, out reading, out error),
            GattUuids.StoredHealthObservations => TryGhs(deviceId, value, stored: true, context, out reading, out error),
            GattUuids.TemperatureType => RefuseTemperatureType(value, out error),
            _ => Fail(new("", $"not a health measurement characteristic this gateway decodes (it decodes {Decodable})"), out error),
        };
        if (!ok)
        {
            reading = null;
            error = Prefixed(shortUuid, error);
        }
        return ok;
    }

    private static bool TryTemperature(string deviceId, ReadOnlySpan<byte> data, DecodeContext context, TemperatureType? fallback,
        out Reading? reading, out DecodeError error)
    {
        reading = null;
        if (!TemperatureMeasurement.TryParse(data, out var m, out error)
            || !GattTime.TryPlace(m.TimeStamp, TemperatureMeasurement.OffsetOf(ReadingField.Time), context, out var time, out error))
        {
            return false;
        }
        var candidate = new Reading
        {
            DeviceId = deviceId,
            Kind = VitalKind.BodyTemperature,
            EffectiveTime = time.Effective,
            TimeQuality = time.Quality,
            DeviceTime = time.DeviceTime,
            ClockCorrection = Correction(time, context),
            ClockMeasuredAt = Correction(time, context) is null ? null : context.DeviceClockMeasuredAt,
            Value = m.Temperature.ToQuantity(m.Unit),
            Site = (m.Type ?? fallback)?.Site,
        };
        return Check(candidate, context, TemperatureMeasurement.OffsetOf, out reading, out error);
    }

    private static bool TryBloodPressure(string deviceId, ReadOnlySpan<byte> data, DecodeContext context, out Reading? reading, out DecodeError error)
    {
        reading = null;
        if (!BloodPressureMeasurement.TryParse(data, out var m, out error)
            || !GattTime.TryPlace(m.TimeStamp, m.OffsetOf(ReadingField.Time), context, out var time, out error))
        {
            return false;
        }
        var unit = m.Unit;
        var candidate = new Reading
        {
            DeviceId = deviceId,
            Kind = VitalKind.BloodPressure,
            EffectiveTime = time.Effective,
            TimeQuality = time.Quality,
            DeviceTime = time.DeviceTime,
            ClockCorrection = Correction(time, context),
            ClockMeasuredAt = Correction(time, context) is null ? null : context.DeviceClockMeasuredAt,
            Systolic = m.Systolic.ToQuantity(unit),
            Diastolic = m.Diastolic.ToQuantity(unit),
            MeanArterial = m.MeanArterial.ToQuantity(unit),
            Pulse = m.PulseRate?.ToQuantity(Ucum.PerMinute),
            UserId = m.UserId is { } u and not BloodPressureMeasurement.UnknownUser ? u : null,
            Status = m.Status?.ToMeasurementStatus() ?? MeasurementStatus.None,
        };
        return Check(candidate, context, m.OffsetOf, out reading, out error);
    }

    private static bool RefuseCuffPressure(ReadOnlySpan<byte> data, out DecodeError error)
    {
        if (!IntermediateCuffPressure.TryParse(data, out var m, out error))
        {
            return false;
        }
        error = new("", $"intermediate cuff pressure ({m.CurrentCuffPressure} {m.Layout.Unit} while the cuff inflates) is not a measurement; readings come from 0x2A35");
        return false;
    }

    private static bool RefuseTemperatureType(ReadOnlySpan<byte> data, out DecodeError error)
    {
        if (!TemperatureType.TryParse(data, out var t, out error))
        {
            return false;
        }
        error = new("", string.Create(CultureInfo.InvariantCulture,
            $"the temperature type ({t.Site ?? "reserved value " + t.Value}) describes the thermometer, it is not a measurement; it is only the fallback site of 0x2A1C values that carry none"));
        return false;
    }

    private static bool TryWeight(string deviceId, ReadOnlySpan<byte> data, DecodeContext context, out Reading? reading, out DecodeError error)
    {
        reading = null;
        if (!WeightMeasurement.TryParse(data, out var m, out error)
            || !GattTime.TryPlace(m.TimeStamp, WeightMeasurement.OffsetOf(ReadingField.Time), context, out var time, out error))
        {
            return false;
        }
        var candidate = new Reading
        {
            DeviceId = deviceId,
            Kind = VitalKind.BodyWeight,
            EffectiveTime = time.Effective,
            TimeQuality = time.Quality,
            DeviceTime = time.DeviceTime,
            ClockCorrection = Correction(time, context),
            ClockMeasuredAt = Correction(time, context) is null ? null : context.DeviceClockMeasuredAt,
            Value = m.WeightAt(context.WeightFeature),
            UserId = m.UserId is { } u and not WeightMeasurement.UnknownUser ? u : null,
            Bmi = m.Bmi,
            Height = m.HeightAt(context.WeightFeature),
        };
        return Check(candidate, context, WeightMeasurement.OffsetOf, out reading, out error);
    }

    private static bool TryHeartRate(string deviceId, ReadOnlySpan<byte> data, DecodeContext context, out Reading? reading, out DecodeError error)
    {
        reading = null;
        if (!HeartRateMeasurement.TryParse(data, out var m, out error))
        {
            return false;
        }
        var candidate = new Reading
        {
            DeviceId = deviceId,
            Kind = VitalKind.HeartRate,
            EffectiveTime = context.ReceivedAt,
            TimeQuality = TimeQuality.ReceiptTime,
            Value = new Quantity(m.HeartRate, Ucum.PerMinute),
            // A sensor that reports contact and has none is measuring noise.
            Status = m.Contact == SensorContact.NotDetected ? MeasurementStatus.Questionable : MeasurementStatus.None,
        };
        return Check(candidate, context, _ => HeartRateMeasurement.HeartRateOffset, out reading, out error);
    }

    private static bool TryPlx(string deviceId, ReadOnlySpan<byte> data, DecodeContext context, out Reading? reading, out DecodeError error)
    {
        reading = null;
        // A time stamp from a clock the device says is not set places nothing: receipt time is more honest.
        if (!PlxSpotCheckMeasurement.TryParse(data, out var m, out error)
            || !GattTime.TryPlace(m.DeviceClockNotSet ? null : m.TimeStamp, PlxSpotCheckMeasurement.OffsetOf(ReadingField.Time), context, out var time, out error))
        {
            return false;
        }
        var candidate = new Reading
        {
            DeviceId = deviceId,
            Kind = VitalKind.OxygenSaturation,
            EffectiveTime = time.Effective,
            TimeQuality = time.Quality,
            DeviceTime = time.DeviceTime,
            Value = m.SpO2.ToQuantity(Ucum.Percent),
            Pulse = m.PulseRate.ToQuantity(Ucum.PerMinute),
            Status = (m.MeasurementStatus?.ToMeasurementStatus() ?? MeasurementStatus.None)
                | ((m.SensorStatus ?? PlxDeviceSensorStatus.None) & PlxDeviceSensorStatusExtensions.Problems) switch
                {
                    PlxDeviceSensorStatus.None => MeasurementStatus.None,
                    _ => MeasurementStatus.SensorProblem,
                },
            SensorStatus = m.SensorStatus is null or PlxDeviceSensorStatus.None ? null : m.SensorStatus,
            ClockCorrection = Correction(time, context),
            ClockMeasuredAt = Correction(time, context) is null ? null : context.DeviceClockMeasuredAt,
        };
        return Check(candidate, context, PlxSpotCheckMeasurement.OffsetOf, out reading, out error);
    }

    private static bool TryGhs(string deviceId, ReadOnlySpan<byte> data, bool stored, DecodeContext context, out Reading? reading, out DecodeError error)
    {
        reading = null;
        if (!GhsSegment.TryParse(data, out var segment, out error))
        {
            return false;
        }
        if (!segment.IsWholeRecord)
        {
            error = GattErrors.At(0, string.Create(CultureInfo.InvariantCulture,
                $"segment header 0x{data[0]:X2} (first={segment.First}, last={segment.Last}, counter {segment.Counter}) is part of a multi-segment record; raw GATT over MQTT carries whole records only (header with first and last set)"));
            return false;
        }
        if (!GhsObservation.TryParse(segment.Payload, stored, out var o, out error))
        {
            error = GattErrors.Shift(error, 1);
            return false;
        }
        // The record's own offsets, moved past the segmentation byte.
        const int recordAt = 1;
        var typeAt = recordAt + o.TypeOffset;
        var stampAt = recordAt + o.OffsetOf(ReadingField.Time);
        var unitAt = recordAt + o.UnitOffset;
        if (!GhsNomenclature.TryGetKind(o.Type, out var kind))
        {
            error = GattErrors.At(typeAt, string.Create(CultureInfo.InvariantCulture,
                $"observation type {o.Type} (MDC) is not a vital sign this gateway maps (body temperature, respiratory rate, heart or pulse rate, SpO2, body weight)"));
            return false;
        }
        if (!GhsNomenclature.TryGetUnit(kind, o.Unit, out var ucum))
        {
            error = GattErrors.At(unitAt, string.Create(CultureInfo.InvariantCulture,
                $"unit {o.Unit} (MDC) is not a unit of {kind.ToTopicName()} (type {o.Type})"));
            return false;
        }
        if (!GattTime.TryPlaceGhs(o.TimeStamp, stored, stampAt, context, out var time, out error))
        {
            return false;
        }
        var candidate = new Reading
        {
            DeviceId = deviceId,
            Kind = kind,
            EffectiveTime = time.Effective,
            TimeQuality = time.Quality,
            DeviceTime = time.DeviceTime,
            ClockCorrection = Correction(time, context),
            ClockMeasuredAt = Correction(time, context) is null ? null : context.DeviceClockMeasuredAt,
            RecordNumber = o.RecordNumber,
            MdcType = o.Type,
            Value = o.Value.ToQuantity(ucum),
            Status = o.Status?.ToMeasurementStatus() ?? MeasurementStatus.None,
        };
        return Check(candidate, context, field => recordAt + o.OffsetOf(field), out reading, out error, GhsTimeStamp.EpochInstant);
    }

    /// <summary>The device-clock correction a device-local time stamp got (null when none was applied).</summary>
    private static TimeSpan? Correction(PlacedTime time, DecodeContext context) =>
        time.Quality == TimeQuality.AssumedLocalZone && context.DeviceClockOffset != TimeSpan.Zero ? context.DeviceClockOffset : null;

    /// <summary>
    /// The shared plausibility rules; an implausible field is placed at the offset its characteristic says carried it
    /// (<paramref name="offsetOf"/>, each parser's own <c>OffsetOf</c>).
    /// </summary>
    private static bool Check(Reading candidate, DecodeContext context, Func<ReadingField, int> offsetOf, out Reading? reading, out DecodeError error,
        DateTimeOffset? epoch = null)
    {
        if (!Plausibility.TryCheck(candidate, context, out var implausible, epoch))
        {
            reading = null;
            error = GattErrors.At(implausible.Location.Field is { } field ? offsetOf(field) : 0, implausible.Message);
            return false;
        }
        reading = candidate;
        error = default;
        return true;
    }

    private static DecodeError Prefixed(ushort uuid, DecodeError error) => error with { Location = error.Location.In(uuid) };

    private static bool Fail(DecodeError error, out DecodeError result)
    {
        result = error;
        return false;
    }
}
