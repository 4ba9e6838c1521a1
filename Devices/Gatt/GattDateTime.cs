using System.Buffers.Binary;
using System.Globalization;

namespace Vitals.Devices.Gatt;

/// <summary>
/// Date Time 0x2A08 (7 bytes): year u16, month, day, hours, minutes, seconds. The device's local wall clock with no
/// zone; year, month or day 0 means unknown, and such a time cannot place a measurement (docs/devices.md, docs/fhir.md "Time").
/// </summary>
public readonly record struct GattDateTime(ushort Year, byte Month, byte Day, byte Hours, byte Minutes, byte Seconds)
{
    public const int Length = 7;

    /// <summary>The Date Time a device whose wall clock shows <paramref name="local"/> sends (whole seconds; no zone).</summary>
    public static GattDateTime FromLocal(DateTime local) =>
        new((ushort)local.Year, (byte)local.Month, (byte)local.Day, (byte)local.Hour, (byte)local.Minute, (byte)local.Second);

    /// <summary>Year, month and day are all known (non-zero).</summary>
    public bool IsKnown => Year != 0 && Month != 0 && Day != 0;

    /// <summary>Checks the ranges of 0x2A08 (year 1582..9999 or 0, month 0..12, day 0..31, 0..23:0..59:0..59).</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out GattDateTime value, out DecodeError error)
    {
        value = default;
        if (data.Length < Length)
        {
            error = GattErrors.Truncated(0, "Date Time", Length, data.Length);
            return false;
        }
        var candidate = new GattDateTime(BinaryPrimitives.ReadUInt16LittleEndian(data), data[2], data[3], data[4], data[5], data[6]);
        if (!candidate.Validate(out error))
        {
            return false;
        }
        if (data.Length > Length)
        {
            error = GattErrors.At(Length, $"{data.Length - Length} unexpected byte(s) after the Date Time");
            return false;
        }
        value = candidate;
        return true;
    }

    public bool TryFormat(Span<byte> destination, out int written)
    {
        written = 0;
        if (destination.Length < Length || !Validate(out _))
        {
            return false;
        }
        BinaryPrimitives.WriteUInt16LittleEndian(destination, Year);
        destination[2] = Month;
        destination[3] = Day;
        destination[4] = Hours;
        destination[5] = Minutes;
        destination[6] = Seconds;
        written = Length;
        return true;
    }

    /// <summary>The wall-clock time, when the date is known and exists (no 31 February).</summary>
    public bool TryGetDateTime(out DateTime time)
    {
        time = default;
        if (!IsKnown || Day > DateTime.DaysInMonth(Year, Month))
        {
            return false;
        }
        time = new DateTime(Year, Month, Day, Hours, Minutes, Seconds, DateTimeKind.Unspecified);
        return true;
    }

    /// <summary>ISO 8601 without offset, as the device said it (unknown parts as zeros): "2026-11-25T08:30:00".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Year:0000}-{Month:00}-{Day:00}T{Hours:00}:{Minutes:00}:{Seconds:00}");

    private bool Validate(out DecodeError error)
    {
        error = default;
        if (Year != 0 && Year is < 1582 or > 9999)
        {
            error = GattErrors.At(0, string.Create(CultureInfo.InvariantCulture, $"year {Year} is outside 1582-9999 (0 = unknown)"));
        }
        else if (Month > 12)
        {
            error = GattErrors.At(2, string.Create(CultureInfo.InvariantCulture, $"month {Month} is outside 1-12 (0 = unknown)"));
        }
        else if (Day > 31)
        {
            error = GattErrors.At(3, string.Create(CultureInfo.InvariantCulture, $"day {Day} is outside 1-31 (0 = unknown)"));
        }
        else if (Hours > 23)
        {
            error = GattErrors.At(4, string.Create(CultureInfo.InvariantCulture, $"hours {Hours} is outside 0-23"));
        }
        else if (Minutes > 59)
        {
            error = GattErrors.At(5, string.Create(CultureInfo.InvariantCulture, $"minutes {Minutes} is outside 0-59"));
        }
        else if (Seconds > 59)
        {
            error = GattErrors.At(6, string.Create(CultureInfo.InvariantCulture, $"seconds {Seconds} is outside 0-59"));
        }
        else
        {
            return true;
        }
        return false;
    }
}
