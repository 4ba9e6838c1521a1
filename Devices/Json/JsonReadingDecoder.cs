using System.Diagnostics.CodeAnalysis;

namespace Vitals.Devices.Json;

/// <summary>
/// Decodes the JSON payload of one MQTT reading (README, "MQTT contract"; docs/architecture.md, "Bad input") straight
/// from UTF-8: <see cref="JsonPayloadReader"/> walks the payload, <see cref="JsonFieldRules"/> judges each value,
/// <see cref="JsonTime"/> places the time, and the reading is then held to the shared <see cref="Plausibility"/> rules.
/// No exception escapes for any input. The first problem found wins; its location is a JSON path (<c>$.systolic</c>,
/// <c>$.status[2]</c>, <c>$</c>) or, for malformed JSON, a byte offset (<c>byte 17</c>).
/// </summary>
public static class JsonReadingDecoder
{
    /// <summary>
    /// Decodes one payload of <paramref name="kind"/> from <paramref name="deviceId"/> (already validated by the
    /// caller, e.g. from the topic). Never throws for any <paramref name="utf8Json"/>.
    /// </summary>
    public static bool TryDecode(string deviceId, VitalKind kind, ReadOnlySpan<byte> utf8Json, DecodeContext context,
        [NotNullWhen(true)] out Reading? reading, out DecodeError error) =>
        TryDecode(deviceId, kind, utf8Json, context, out reading, out _, out error);

    /// <summary>
    /// <see cref="TryDecode(string, VitalKind, ReadOnlySpan{byte}, DecodeContext, out Reading?, out DecodeError)"/>, and
    /// what the payload's optional <c>device</c> object says about the publisher (null when it has none).
    /// </summary>
    public static bool TryDecode(string deviceId, VitalKind kind, ReadOnlySpan<byte> utf8Json, DecodeContext context,
        [NotNullWhen(true)] out Reading? reading, out DeviceInformation? device, out DecodeError error)
    {
        reading = null;
        device = null;
        var fields = new JsonFieldRules();
        if (!JsonPayloadReader.TryRead(utf8Json, kind, context, ref fields, out error)
            || !TryBuild(deviceId, kind, in fields, context, out reading, out error))
        {
            return false;
        }
        device = fields.Device;
        return true;
    }

    private static bool TryBuild(string deviceId, VitalKind kind, in JsonFieldRules fields, DecodeContext context,
        [NotNullWhen(true)] out Reading? reading, out DecodeError error)
    {
        reading = null;
        if (kind == VitalKind.BloodPressure)
        {
            if (fields.Systolic is null) return Missing(JsonField.Systolic, "", out error);
            if (fields.Diastolic is null) return Missing(JsonField.Diastolic, "", out error);
        }
        else if (fields.Value is null)
        {
            return Missing(JsonField.Value, "", out error);
        }
        if ((fields.Unit ?? Units.Implied(kind)) is not { } unit)
        {
            return Missing(JsonField.Unit, $" (expected {Units.Describe(kind)})", out error);
        }

        var time = fields.Time ?? PlacedTime.Receipt(context);
        var candidate = new Reading
        {
            DeviceId = deviceId,
            Kind = kind,
            EffectiveTime = time.Effective,
            TimeQuality = time.Quality,
            DeviceTime = time.DeviceTime,
            MeasurementId = fields.Id,
            Value = Quantify(fields.Value, unit),
            Systolic = Quantify(fields.Systolic, unit),
            Diastolic = Quantify(fields.Diastolic, unit),
            MeanArterial = Quantify(fields.Mean, unit),
            // The unit key is for the pressures; a cuff's pulse rate is always per minute.
            Pulse = Quantify(fields.Pulse, Ucum.PerMinute),
            Site = fields.Site,
            Status = fields.Status,
        };
        if (!Plausibility.TryCheck(candidate, context, out var implausible))
        {
            error = new(DecodeErrorLocation.JsonPath("$." + implausible.Where), implausible.Message);
            return false;
        }
        reading = candidate;
        error = default;
        return true;
    }

    private static Quantity? Quantify(decimal? value, string unit) => value is { } v ? new Quantity(v, unit) : null;

    private static bool Missing(JsonField field, string detail, out DecodeError error)
    {
        error = new(JsonFieldRules.Location(field), "required field is missing" + detail);
        return false;
    }
}
