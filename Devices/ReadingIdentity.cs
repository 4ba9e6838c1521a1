using System.Globalization;
using System.Text;

namespace Vitals.Devices;

/// <summary>
/// The identity of a measurement, built only from what the device said, so that a resend of the same measurement
/// yields the same key (the store keeps one copy) and the FHIR identifier derived from it is the same (docs/fhir.md,
/// "Identifiers"; HL7 PHD IG, "The Observation Identifier": type, value, units and time stamp of the measurement).
/// <list type="bullet">
/// <item>Scheme 2 (<see cref="CurrentScheme"/>): device, kind, every value with its unit (trailing zeros dropped),
/// the device's time as a UTC instant before any clock correction, and the device's own measurement id (JSON
/// <c>id</c>) where it sent one. Without a device time: the GHS record number where there is one, else (without an
/// id either) the UTC minute of receipt (<see cref="ResendWindow"/>).</item>
/// <item>Scheme 1 (readings stored before scheme 2): device, kind, the device's time as text, measurement id, user.
/// Kept so that those readings keep the identifier they were, or will be, delivered with.</item>
/// </list>
/// </summary>
public static class ReadingIdentity
{
    public const int CurrentScheme = 2;

    /// <summary>
    /// Readings without device time and without id: an identical payload from the same device within the same UTC
    /// minute is a resend. One minute because a heart-rate summary (<c>Ble:HeartRateInterval</c>, at least a minute)
    /// must never merge with the next one.
    /// </summary>
    public static readonly TimeSpan ResendWindow = TimeSpan.FromMinutes(1);

    public static string Key(Reading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        return reading.IdentityScheme switch
        {
            1 => KeyV1(reading),
            2 => KeyV2(reading),
            _ => throw new ArgumentException($"unknown identity scheme {reading.IdentityScheme}", nameof(reading)),
        };
    }

    /// <summary>"v2|device|kind|values|time": see the class summary. Every part is escaped, so no two inputs share a key.</summary>
    private static string KeyV2(Reading reading)
    {
        var sb = new StringBuilder(128);
        sb.Append("v2|");
        Part(sb, reading.DeviceId);
        Part(sb, reading.Kind.ToTopicName());
        Value(sb, "value", reading.Value);
        Value(sb, "sys", reading.Systolic);
        Value(sb, "dia", reading.Diastolic);
        Value(sb, "map", reading.MeanArterial);
        Value(sb, "pulse", reading.Pulse);
        Value(sb, "bmi", reading.Bmi);
        Value(sb, "height", reading.Height);
        sb.Append('|');
        if (reading.TimeQuality != TimeQuality.ReceiptTime)
        {
            // The device's own claim as an instant: +01:00 and Z spell the same one; the gateway's clock correction
            // (a fresh estimate on every connection) is taken back off, so a record resent later keeps its key.
            var reported = reading.EffectiveTime + (reading.ClockCorrection ?? TimeSpan.Zero);
            sb.Append("t:").Append(reported.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        }
        else if (reading.RecordNumber is { } record)
        {
            // Only without a time stamp: a live observation (no record number) and its stored record must agree.
            sb.Append("rec:").Append(record.ToString(CultureInfo.InvariantCulture));
        }
        else if (reading.MeasurementId is not { Length: > 0 })
        {
            var utc = reading.EffectiveTime.UtcDateTime;
            var window = new DateTime(utc.Ticks - utc.Ticks % ResendWindow.Ticks, DateTimeKind.Utc);
            sb.Append("rx:").Append(window.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture));
        }
        if (reading.MeasurementId is { Length: > 0 } id)
        {
            // The device's own measurement id tells apart two measurements in one clock tick with the same values.
            sb.Append("|id:");
            Escape(sb, id);
        }
        return sb.ToString();
    }

    private static void Part(StringBuilder sb, string text)
    {
        Escape(sb, text);
        sb.Append('|');
    }

    private static void Value(StringBuilder sb, string name, Quantity? quantity)
    {
        if (quantity is not { } q)
        {
            return;
        }
        sb.Append(name).Append('=');
        if (q.HasValue)
        {
            // 37.2 and 37.20 are one measurement sent by two paths (JSON number, GATT FLOAT with another exponent).
            sb.Append((q.Value / 1.0000000000000000000000000000m).ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            sb.Append('!').Append(q.Absent.ToString());
        }
        sb.Append(' ');
        Escape(sb, q.Unit);
        sb.Append(';');
    }

    // Device ids, units and JSON ids are text from outside: '|', ';', '=' and '\' are escaped so that a value cannot
    // pose as a separator and make two different readings share a key.
    private static void Escape(StringBuilder sb, string text)
    {
        foreach (var c in text)
        {
            if (c is '\\' or '|' or ';' or '=' or ' ')
            {
                sb.Append('\\');
            }
            sb.Append(c);
        }
    }

    private static string KeyV1(Reading reading)
    {
        var sb = new StringBuilder(96);
        sb.Append(reading.DeviceId).Append('|').Append(reading.Kind.ToTopicName()).Append('|');
        sb.Append(reading.DeviceTime ?? "received:" + reading.EffectiveTime.ToString("O", CultureInfo.InvariantCulture));
        sb.Append('|').Append(reading.MeasurementId ?? "");
        if (reading.UserId is { } user)
        {
            sb.Append("|user:").Append(user.ToString(CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
