using System.Buffers;
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
        Span<char> stack = stackalloc char[256];
        if (TryWriteKey(reading, stack, out var written))
            return new string(stack[..written]);
        // Long device ids or measurement ids: a bigger buffer from the pool, as big as it takes.
        for (var size = 1024; ; size *= 2)
        {
            var rented = ArrayPool<char>.Shared.Rent(size);
            try
            {
                if (TryWriteKey(reading, rented, out written))
                    return new string(rented, 0, written);
            }
            finally
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// <see cref="Key"/> written into <paramref name="destination"/> without allocating (scheme 2); false when it does
    /// not fit. The same characters as <see cref="Key"/>, for callers that hash or compare keys in bulk.
    /// </summary>
    public static bool TryWriteKey(Reading reading, Span<char> destination, out int charsWritten)
    {
        ArgumentNullException.ThrowIfNull(reading);
        switch (reading.IdentityScheme)
        {
            case 1:
                var v1 = KeyV1(reading);
                charsWritten = v1.TryCopyTo(destination) ? v1.Length : 0;
                return charsWritten == v1.Length;
            case 2:
                var writer = new KeyWriter(destination);
                KeyV2(reading, ref writer);
                charsWritten = writer.Overflow ? 0 : writer.Length;
                return !writer.Overflow;
            default:
                throw new ArgumentException($"unknown identity scheme {reading.IdentityScheme}", nameof(reading));
        }
    }

    /// <summary>"v2|device|kind|values|time": see the class summary. Every part is escaped, so no two inputs share a key.</summary>
    private static void KeyV2(Reading reading, ref KeyWriter w)
    {
        w.Append("v2|");
        w.Escaped(reading.DeviceId);
        w.Append('|');
        w.Escaped(reading.Kind.ToTopicName());
        w.Append('|');
        Value(ref w, "value", reading.Value);
        Value(ref w, "sys", reading.Systolic);
        Value(ref w, "dia", reading.Diastolic);
        Value(ref w, "map", reading.MeanArterial);
        Value(ref w, "pulse", reading.Pulse);
        Value(ref w, "bmi", reading.Bmi);
        Value(ref w, "height", reading.Height);
        w.Append('|');
        if (reading.TimeQuality != TimeQuality.ReceiptTime)
        {
            // The device's own claim as an instant: +01:00 and Z spell the same one; the gateway's clock correction
            // (a fresh estimate on every connection) is taken back off, so a record resent later keeps its key.
            var reported = reading.EffectiveTime + (reading.ClockCorrection ?? TimeSpan.Zero);
            w.Append("t:");
            w.Formatted(reported.UtcDateTime, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'");
        }
        else if (reading.RecordNumber is { } record)
        {
            // Only without a time stamp: a live observation (no record number) and its stored record must agree.
            w.Append("rec:");
            w.Formatted(record, default);
        }
        else if (reading.MeasurementId is not { Length: > 0 })
        {
            var utc = reading.EffectiveTime.UtcDateTime;
            var window = new DateTime(utc.Ticks - utc.Ticks % ResendWindow.Ticks, DateTimeKind.Utc);
            w.Append("rx:");
            w.Formatted(window, "yyyy-MM-dd'T'HH:mm'Z'");
        }
        if (reading.MeasurementId is { Length: > 0 } id)
        {
            // The device's own measurement id tells apart two measurements in one clock tick with the same values.
            w.Append("|id:");
            w.Escaped(id);
        }
    }

    private static void Value(ref KeyWriter w, string name, Quantity? quantity)
    {
        if (quantity is not { } q)
        {
            return;
        }
        w.Append(name);
        w.Append('=');
        if (q.HasValue)
        {
            // 37.2 and 37.20 are one measurement sent by two paths (JSON number, GATT FLOAT with another exponent).
            w.Formatted(q.Value / 1.0000000000000000000000000000m, default);
        }
        else
        {
            w.Append('!');
            w.Append(q.Absent.ToString());
        }
        w.Append(' ');
        w.Escaped(q.Unit);
        w.Append(';');
    }

    /// <summary>
    /// Appends to a fixed span without allocating; once something does not fit, <see cref="Overflow"/> is set and the
    /// content is not to be used. Device ids, units and JSON ids are text from outside: '|', ';', '=', '\' and spaces
    /// are escaped (<see cref="Escaped"/>) so that a value cannot pose as a separator and make two readings share a key.
    /// </summary>
    private ref struct KeyWriter(Span<char> buffer)
    {
        private readonly Span<char> _buffer = buffer;

        public int Length { get; private set; }

        public bool Overflow { get; private set; }

        public void Append(char c)
        {
            if (Length < _buffer.Length) _buffer[Length++] = c;
            else Overflow = true;
        }

        public void Append(ReadOnlySpan<char> text)
        {
            if (text.TryCopyTo(_buffer[Length..])) Length += text.Length;
            else Overflow = true;
        }

        public void Formatted<T>(T value, ReadOnlySpan<char> format) where T : ISpanFormattable
        {
            if (value.TryFormat(_buffer[Length..], out var written, format, CultureInfo.InvariantCulture)) Length += written;
            else Overflow = true;
        }

        public void Escaped(ReadOnlySpan<char> text)
        {
            foreach (var c in text)
            {
                if (c is '\\' or '|' or ';' or '=' or ' ')
                {
                    Append('\\');
                }
                Append(c);
            }
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
