using System.Globalization;

namespace Vitals.Devices;

/// <summary>
/// The plausibility rules (docs/architecture.md, "Bad input"): each value within its configured range, systolic above
/// diastolic, mean arterial pressure between them, a reported pulse within the heart-rate range, and a device time
/// not too far ahead of the gateway's clock. Values are compared in the canonical units of
/// <see cref="PlausibilityLimits"/> but never changed: the reading keeps what the device sent.
/// </summary>
public static class Plausibility
{
    /// <summary>The international avoirdupois pound, exactly.</summary>
    public const decimal KilogramsPerPound = 0.45359237m;

    // No vital sign is plausible at this magnitude in any unit; refusing to convert such values keeps decimal
    // arithmetic (which throws on overflow) safe for anything a device can send.
    private const decimal MaxConvertibleMagnitude = 1_000_000_000m;

    /// <summary>
    /// Checks a decoded reading. On failure the location is the offending <see cref="ReadingField"/> (rendered as the
    /// MQTT contract spells it: <c>value</c>, <c>systolic</c>, ...); each source turns that into its own location (the
    /// JSON decoder into <c>$.systolic</c>, a GATT characteristic into the offset of the field).
    /// Absent values (<see cref="Quantity.HasValue"/> false) are not range-checked.
    /// </summary>
    /// <param name="epoch">
    /// The start of the device's time scale when it has one (a GHS time stamp counts from 2000-01-01): a time at or
    /// before it is a counter that was reset, whatever <see cref="PlausibilityLimits.MaxPastAge"/> allows.
    /// </param>
    public static bool TryCheck(Reading reading, DecodeContext context, out DecodeError error, DateTimeOffset? epoch = null)
    {
        var limits = context.Limits;
        var valuesOk = reading.Kind switch
        {
            VitalKind.BloodPressure => TryCheckBloodPressure(reading, limits, out error),
            VitalKind.BodyTemperature => InRange(ReadingField.Value, reading.Kind, reading.Value, limits.TemperatureMinCel, limits.TemperatureMaxCel, out error),
            VitalKind.BodyWeight => InRange(ReadingField.Value, reading.Kind, reading.Value, limits.WeightMinKg, limits.WeightMaxKg, out error),
            VitalKind.RespiratoryRate => InRange(ReadingField.Value, reading.Kind, reading.Value, limits.RespiratoryRateMin, limits.RespiratoryRateMax, out error),
            VitalKind.HeartRate => InRange(ReadingField.Value, reading.Kind, reading.Value, limits.HeartRateMin, limits.HeartRateMax, out error),
            VitalKind.OxygenSaturation => InRange(ReadingField.Value, reading.Kind, reading.Value, limits.SpO2Min, limits.SpO2Max, out error),
            _ => throw new ArgumentOutOfRangeException(nameof(reading), reading.Kind, "unknown kind"),
        };
        // A pulse reported with any other kind (an oximeter's) is held to the heart-rate range like a cuff's.
        if (valuesOk && reading.Kind != VitalKind.BloodPressure)
        {
            valuesOk = InRange(ReadingField.Pulse, VitalKind.HeartRate, reading.Pulse, limits.HeartRateMin, limits.HeartRateMax, out error);
        }
        return valuesOk && TryCheckTime(reading, context, epoch, out error);
    }

    /// <summary>
    /// Converts a quantity of <paramref name="kind"/> to the kind's canonical unit ([degF] to Cel; g and [lb_av] to kg;
    /// kPa to mm[Hg]) for comparison. False when the value is too large to convert (it is implausible anyway).
    /// </summary>
    /// <exception cref="ArgumentException">The unit is not one of the kind's units: a decoder bug.</exception>
    public static bool TryToCanonical(VitalKind kind, Quantity quantity, out decimal canonical)
    {
        if (!Units.IsUnitOf(kind, quantity.Unit))
        {
            throw new ArgumentException($"'{quantity.Unit}' is not a unit of {kind.ToTopicName()}", nameof(quantity));
        }
        canonical = quantity.Value;
        if (Math.Abs(quantity.Value) > MaxConvertibleMagnitude)
        {
            return false;
        }
        canonical = quantity.Unit switch
        {
            // Multiply before dividing so that whole-degree bounds (113 [degF] = 45 Cel) compare exactly.
            Ucum.Fahrenheit => (quantity.Value - 32m) * 5m / 9m,
            Ucum.Gram => quantity.Value / 1000m,
            Ucum.Pound => quantity.Value * KilogramsPerPound,
            Ucum.Kilopascal => quantity.Value * Ucum.MillimetresMercuryPerKilopascal,
            _ => quantity.Value,
        };
        return true;
    }

    private static bool TryCheckBloodPressure(Reading reading, PlausibilityLimits limits, out DecodeError error)
    {
        const VitalKind bp = VitalKind.BloodPressure;
        if (!InRange(ReadingField.Systolic, bp, reading.Systolic, limits.SystolicMin, limits.SystolicMax, out error)
            || !InRange(ReadingField.Diastolic, bp, reading.Diastolic, limits.DiastolicMin, limits.DiastolicMax, out error)
            || !InRange(ReadingField.Pulse, VitalKind.HeartRate, reading.Pulse, limits.HeartRateMin, limits.HeartRateMax, out error))
        {
            return false;
        }
        // Both are within their (convertible) ranges here, so the conversions below succeed.
        if (reading.Systolic is not { HasValue: true } systolic || reading.Diastolic is not { HasValue: true } diastolic)
        {
            return true;
        }
        TryToCanonical(bp, systolic, out var sys);
        TryToCanonical(bp, diastolic, out var dia);
        if (dia >= sys)
        {
            error = new(DecodeErrorLocation.Of(ReadingField.Diastolic), Invariant($"diastolic {Show(diastolic)} is not below systolic {Show(systolic)}"));
            return false;
        }
        if (reading.MeanArterial is { HasValue: true } mean
            && !(TryToCanonical(bp, mean, out var map) && map >= dia && map <= sys))
        {
            error = new(DecodeErrorLocation.Of(ReadingField.Mean), Invariant($"mean {Show(mean)} is not between diastolic {Show(diastolic)} and systolic {Show(systolic)}"));
            return false;
        }
        return true;
    }

    private static bool InRange(ReadingField field, VitalKind kind, Quantity? quantity, decimal min, decimal max, out DecodeError error)
    {
        error = default;
        if (quantity is not { HasValue: true } q)
        {
            return true;
        }
        var convertible = TryToCanonical(kind, q, out var canonical);
        if (convertible && canonical >= min && canonical <= max)
        {
            return true;
        }
        var unit = Units.Canonical(kind);
        var shown = convertible && q.Unit != unit
            ? Invariant($"{Show(q)} ({canonical:0.##} {unit})")
            : Show(q);
        var label = field == ReadingField.Value ? "" : field.ToName() + " ";
        error = new(DecodeErrorLocation.Of(field), Invariant($"{label}{shown} is outside the plausible range {min}-{max} {unit}"));
        return false;
    }

    private static bool TryCheckTime(Reading reading, DecodeContext context, DateTimeOffset? epoch, out DecodeError error)
    {
        error = default;
        // Receipt time is the gateway's own clock; only a device's claim can be in the future or the distant past.
        if (reading.TimeQuality == TimeQuality.ReceiptTime)
        {
            return true;
        }
        var sent = reading.DeviceTime ?? reading.EffectiveTime.ToString("O", CultureInfo.InvariantCulture);
        var ahead = reading.EffectiveTime - context.ReceivedAt;
        if (ahead > context.Limits.MaxFutureSkew)
        {
            error = new(DecodeErrorLocation.Of(ReadingField.Time), $"time {sent} is {Duration(ahead)} in the future (more than the allowed {Duration(context.Limits.MaxFutureSkew)})");
            return false;
        }
        // A device whose clock was reset (to its default date, often 2000-01-01) would be charted years back, where no
        // clinician looks and where it may sort before the patient's history began (docs/fhir.md, "Time").
        if (epoch is { } start && reading.EffectiveTime <= start)
        {
            error = new(DecodeErrorLocation.Of(ReadingField.Time), $"time {sent} is at or before the device's epoch {start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}: its clock was reset");
            return false;
        }
        var behind = context.ReceivedAt - reading.EffectiveTime;
        if (behind > context.Limits.MaxPastAge)
        {
            error = new(DecodeErrorLocation.Of(ReadingField.Time), $"time {sent} is {Duration(behind)} in the past (more than the allowed {Duration(context.Limits.MaxPastAge)}): a device clock reset or a wrong date");
            return false;
        }
        return true;
    }

    /// <summary>"3h", "2h 5m", "45s": the two largest non-zero parts, rounded down.</summary>
    private static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.FromSeconds(1))
        {
            return Invariant($"{(int)span.TotalMilliseconds}ms");
        }
        Span<(int Amount, string Suffix)> parts = [(span.Days, "d"), (span.Hours, "h"), (span.Minutes, "m"), (span.Seconds, "s")];
        var first = 0;
        while (parts[first].Amount == 0)
        {
            first++;
        }
        var text = Invariant($"{parts[first].Amount}{parts[first].Suffix}");
        return first + 1 < parts.Length && parts[first + 1].Amount != 0
            ? Invariant($"{text} {parts[first + 1].Amount}{parts[first + 1].Suffix}")
            : text;
    }

    private static string Show(Quantity q) => Invariant($"{q.Value} {q.Unit}");

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
