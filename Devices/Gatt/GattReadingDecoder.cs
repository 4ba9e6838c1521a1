using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Vitals.Devices.Gatt;

/// <summary>
/// Turns one GATT characteristic value into a <see cref="Reading"/> through the characteristic decoders, then runs the
/// shared <see cref="Plausibility"/> rules like the JSON path. Stateless: a GHS record must arrive whole (one segment
/// with first and last set); reassembly of multi-segment records belongs to whoever sees the notification stream
/// (<see cref="GhsSegmentAssembler"/>). Never throws for any input; every error names the characteristic and the
/// byte offset ("0x2A35 byte 7").
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
            || !TryPlace(m.TimeStamp, TemperatureMeasurement.TimeStampOffset, context, out var time, out error))
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
            Value = m.Temperature.ToQuantity(m.Unit),
            Site = (m.Type ?? fallback)?.Site,
        };
        return Check(candidate, context, field => field == "time" ? TemperatureMeasurement.TimeStampOffset : 1, out reading, out error);
    }

    private static bool TryBloodPressure(string deviceId, ReadOnlySpan<byte> data, DecodeContext context, out Reading? reading, out DecodeError error)
    {
        reading = null;
        if (!BloodPressureMeasurement.TryParse(data, out var m, out error)
            || !TryPlace(m.TimeStamp, BloodPressureMeasurement.MinLength, context, out var time, out error))
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
            Systolic = m.Systolic.ToQuantity(unit),
            Diastolic = m.Diastolic.ToQuantity(unit),
            MeanArterial = m.MeanArterial.ToQuantity(unit),
            Pulse = m.PulseRate?.ToQuantity(Ucum.PerMinute),
            UserId = m.UserId is { } u and not BloodPressureMeasurement.UnknownUser ? u : null,
            Status = m.Status?.ToMeasurementStatus() ?? MeasurementStatus.None,
        };
        var pulseAt = m.PulseRateOffset;
        return Check(candidate, context, field => field switch
        {
            "systolic" => 1,
            "diastolic" => 3,
            "mean" => 5,
            "pulse" => pulseAt,
            _ => BloodPressureMeasurement.MinLength,
        }, out reading, out error);
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
            || !TryPlace(m.TimeStamp, WeightMeasurement.MinLength, context, out var time, out error))
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
            Value = m.Weight,
            UserId = m.UserId is { } u and not WeightMeasurement.UnknownUser ? u : null,
            Bmi = m.Bmi,
            Height = m.Height,
        };
        return Check(candidate, context, field => field == "time" ? WeightMeasurement.MinLength : 1, out reading, out error);
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
        return Check(candidate, context, _ => 1, out reading, out error);
    }

    private static bool TryPlx(string deviceId, ReadOnlySpan<byte> data, DecodeContext context, out Reading? reading, out DecodeError error)
    {
        reading = null;
        // A time stamp from a clock the device says is not set places nothing: receipt time is more honest.
        if (!PlxSpotCheckMeasurement.TryParse(data, out var m, out error)
            || !TryPlace(m.DeviceClockNotSet ? null : m.TimeStamp, PlxSpotCheckMeasurement.MinLength, context, out var time, out error))
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
            Status = m.MeasurementStatus?.ToMeasurementStatus() ?? MeasurementStatus.None,
        };
        return Check(candidate, context, field => field switch
        {
            "pulse" => 3,
            "time" => PlxSpotCheckMeasurement.MinLength,
            _ => 1,
        }, out reading, out error);
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
        // Offsets in the notification: 1 segmentation byte, then [record number], class, length, flags, type, ...
        var recordAt = 1 + (stored ? 4 : 0);
        var typeAt = recordAt + GhsObservation.HeaderLength;
        var stampAt = typeAt + 4;
        var unitAt = data.Length - 8;
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
        if (!TryPlaceGhs(o.TimeStamp, stored, stampAt, context, out var time, out error))
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
            MeasurementId = o.RecordNumber?.ToString(CultureInfo.InvariantCulture),
            Value = o.Value.ToQuantity(ucum),
            Status = o.Status?.ToMeasurementStatus() ?? MeasurementStatus.None,
        };
        return Check(candidate, context, field => field == "time" ? stampAt : unitAt + 4, out reading, out error);
    }

    private readonly record struct Placement(DateTimeOffset Effective, TimeQuality Quality, string? DeviceTime);

    /// <summary>
    /// Date Time is the device's local wall clock (gatt.md): read in the gateway's zone and flagged; none means
    /// receipt time. A date the device does not know, or one that does not exist, cannot place the measurement.
    /// </summary>
    private static bool TryPlace(GattDateTime? stamp, int offset, DecodeContext context, out Placement time, out DecodeError error)
    {
        error = default;
        if (stamp is not { } s)
        {
            time = new(context.ReceivedAt, TimeQuality.ReceiptTime, null);
            return true;
        }
        time = default;
        if (!s.IsKnown)
        {
            error = GattErrors.At(offset, $"the time stamp {s} has an unknown year, month or day (0): the measurement cannot be placed in time");
            return false;
        }
        if (!s.TryGetDateTime(out var local))
        {
            error = GattErrors.At(offset, $"the time stamp {s} is not a calendar date");
            return false;
        }
        return TryInZone(local, s.ToString(), offset, context, out time, out error);
    }

    private static bool TryPlaceGhs(GhsTimeStamp? stamp, bool stored, int offset, DecodeContext context, out Placement time, out DecodeError error)
    {
        error = default;
        if (stamp is not { } s || (s.IsTickCounter && !stored))
        {
            // A live observation without a calendar time is happening now.
            time = new(context.ReceivedAt, TimeQuality.ReceiptTime, null);
            return true;
        }
        time = default;
        if (s.IsTickCounter)
        {
            error = GattErrors.At(offset, "a stored observation with a tick-counter time stamp cannot be placed in time (fhir.md: not uploaded as if current)");
            return false;
        }
        if (!s.TryGetTime(out var wall, out var zone))
        {
            error = GattErrors.At(offset, string.Create(CultureInfo.InvariantCulture, $"time stamp {s.Ticks} ticks of {s.Resolution} since 2000 is beyond year 9999"));
            return false;
        }
        if (zone is { } z)
        {
            var effective = new DateTimeOffset(wall, z);
            time = new(effective, TimeQuality.DeviceWithOffset, effective.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture));
            return true;
        }
        return TryInZone(wall, wall.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture), offset, context, out time, out error);
    }

    private static bool TryInZone(DateTime local, string deviceTime, int offset, DecodeContext context, out Placement time, out DecodeError error)
    {
        time = default;
        var zone = context.LocalZone;
        if (context.DeviceClockOffset != TimeSpan.Zero)
        {
            // The device's wall clock runs off by the measured offset: its time stamps are moved onto the gateway's clock.
            var ticks = local.Ticks - context.DeviceClockOffset.Ticks;
            if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
            {
                error = GattErrors.At(offset, $"the time stamp {deviceTime} corrected by the device clock offset is outside the range of representable times");
                return false;
            }
            local = new DateTime(ticks, DateTimeKind.Unspecified);
        }
        // As the JSON path: a wall-clock time skipped by a daylight-saving change never happened here.
        if (zone.IsInvalidTime(local))
        {
            error = GattErrors.At(offset, $"the time stamp {deviceTime} does not exist in the gateway's time zone {zone.Id} (skipped by a daylight-saving change)");
            return false;
        }
        var utcOffset = zone.GetUtcOffset(local);
        var utcTicks = local.Ticks - utcOffset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            error = GattErrors.At(offset, $"the time stamp {deviceTime} is outside the range of representable times");
            return false;
        }
        time = new(new DateTimeOffset(local, utcOffset), TimeQuality.AssumedLocalZone, deviceTime);
        error = default;
        return true;
    }

    private static bool Check(Reading candidate, DecodeContext context, Func<string, int> offsetOf, out Reading? reading, out DecodeError error)
    {
        if (!Plausibility.TryCheck(candidate, context, out var implausible))
        {
            reading = null;
            error = GattErrors.At(offsetOf(implausible.Where), implausible.Message);
            return false;
        }
        reading = candidate;
        error = default;
        return true;
    }

    private static DecodeError Prefixed(ushort uuid, DecodeError error)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"0x{uuid:X4}");
        return new(string.IsNullOrEmpty(error.Where) ? name : name + " " + error.Where, error.Message);
    }

    private static bool Fail(DecodeError error, out DecodeError result)
    {
        result = error;
        return false;
    }
}
