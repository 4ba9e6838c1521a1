namespace Vitals.Devices.Json;

/// <summary>
/// A strict reader for the ISO 8601 extended date-time devices send (RFC 3339 profile):
/// <c>yyyy-MM-ddTHH:mm[:ss[.fraction]][Z|±HH:mm|±HHmm|±HH]</c>. Written by hand rather than with
/// DateTimeOffset.TryParseExact because the gateway must know whether an offset was given (docs/architecture.md, "Bad input": a time without
/// one is taken in the local zone and flagged) and must tell a date without a time apart from garbage.
/// </summary>
internal static class IsoDateTime
{
    public enum Outcome
    {
        DateTime,
        DateOnly,
        Invalid,
    }

    /// <param name="text">The text to read.</param>
    /// <param name="local">The date and time as written (Kind Unspecified).</param>
    /// <param name="offset">The UTC offset as written; null when the text has none.</param>
    public static Outcome Parse(ReadOnlySpan<char> text, out DateTime local, out TimeSpan? offset)
    {
        local = default;
        offset = null;
        if (text.Length < 10
            || !TryDigits(text[..4], out var year) || text[4] != '-'
            || !TryDigits(text[5..7], out var month) || text[7] != '-'
            || !TryDigits(text[8..10], out var day)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > System.DateTime.DaysInMonth(year, month))
        {
            return Outcome.Invalid;
        }
        if (text.Length == 10)
        {
            return Outcome.DateOnly;
        }

        var rest = text[10..];
        if (rest.Length < 6 || rest[0] is not ('T' or 't')
            || !TryDigits(rest[1..3], out var hour) || rest[3] != ':' || !TryDigits(rest[4..6], out var minute))
        {
            return Outcome.Invalid;
        }
        rest = rest[6..];

        var second = 0;
        long fractionTicks = 0;
        if (rest.Length > 0 && rest[0] == ':')
        {
            if (rest.Length < 3 || !TryDigits(rest[1..3], out second))
            {
                return Outcome.Invalid;
            }
            rest = rest[3..];
            if (rest.Length > 0 && rest[0] is '.' or ',')
            {
                var digits = 1;
                while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
                {
                    // Digits beyond the 7th (100 ns, a tick) are read but cannot be represented.
                    if (digits <= 7)
                    {
                        fractionTicks = fractionTicks * 10 + (rest[digits] - '0');
                    }
                    digits++;
                }
                if (digits == 1)
                {
                    return Outcome.Invalid;
                }
                for (var scale = digits; scale <= 7; scale++)
                {
                    fractionTicks *= 10;
                }
                rest = rest[digits..];
            }
        }
        // A leap second (:60) cannot be represented by DateTime; no vital-signs device needs it.
        if (hour > 23 || minute > 59 || second > 59)
        {
            return Outcome.Invalid;
        }

        if (!TryParseOffset(rest, out offset))
        {
            return Outcome.Invalid;
        }
        local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(fractionTicks);
        return Outcome.DateTime;
    }

    private static bool TryParseOffset(ReadOnlySpan<char> text, out TimeSpan? offset)
    {
        offset = null;
        if (text.IsEmpty)
        {
            return true;
        }
        if (text is "Z" or "z")
        {
            offset = TimeSpan.Zero;
            return true;
        }
        if (text.Length < 3 || text[0] is not ('+' or '-') || !TryDigits(text.Slice(1, 2), out var hours))
        {
            return false;
        }
        var minutes = 0;
        var tail = text[3..];
        if (!tail.IsEmpty)
        {
            if (tail[0] == ':')
            {
                tail = tail[1..];
            }
            if (tail.Length != 2 || !TryDigits(tail, out minutes))
            {
                return false;
            }
        }
        var magnitude = new TimeSpan(hours, minutes, 0);
        // DateTimeOffset allows at most ±14:00.
        if (minutes > 59 || magnitude > TimeSpan.FromHours(14))
        {
            return false;
        }
        offset = text[0] == '-' ? -magnitude : magnitude;
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        if (text.IsEmpty)
        {
            return false;
        }
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            value = value * 10 + (c - '0');
        }
        return true;
    }
}
