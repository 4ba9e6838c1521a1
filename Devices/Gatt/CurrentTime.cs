using System.Globalization;

namespace Vitals.Devices.Gatt;

/// <summary>
/// Current Time 0x2A2B (10 bytes): Exact Time 256 = Date Time 0x2A08 + day of week (1 Monday .. 7 Sunday, 0 unknown)
/// + fractions of a second in 1/256 s; then adjust reason bits (b0 manual, b1 external reference, b2 time zone change,
/// b3 DST change). The device's local wall clock: the gateway reads it to learn how far the device's clock is off
/// before it trusts the time stamps of measurements (docs/devices.md, "Date Time").
/// </summary>
public readonly record struct CurrentTime(GattDateTime DateTime, byte DayOfWeek, byte Fractions256, byte AdjustReason)
{
    public const int Length = 10;

    /// <summary>Adjust reason b0: the user set the clock by hand.</summary>
    public const byte ManualTimeUpdate = 0x01;

    /// <summary>Adjust reason b1: the clock was set from an external reference (e.g. by a collector's write).</summary>
    public const byte ExternalReferenceTimeUpdate = 0x02;

    public static bool TryParse(ReadOnlySpan<byte> data, out CurrentTime value, out DecodeError error)
    {
        value = default;
        if (data.Length < Length)
        {
            error = GattErrors.Truncated(0, "Current Time", Length, data.Length);
            return false;
        }
        if (!GattDateTime.TryParse(data[..GattDateTime.Length], out var dateTime, out error))
        {
            return false;
        }
        var dayOfWeek = data[7];
        if (dayOfWeek > 7)
        {
            error = GattErrors.At(7, string.Create(CultureInfo.InvariantCulture, $"day of week {dayOfWeek} is outside 1-7 (0 = unknown)"));
            return false;
        }
        if (data.Length > Length)
        {
            error = GattErrors.At(Length, $"{data.Length - Length} unexpected byte(s) after the Current Time");
            return false;
        }
        value = new CurrentTime(dateTime, dayOfWeek, data[8], data[9]);
        error = default;
        return true;
    }

    /// <summary>The value a collector writes to set the device clock, or a simulator serves, for a local wall-clock time.</summary>
    public static CurrentTime From(DateTime local, byte adjustReason)
    {
        var dayOfWeek = local.DayOfWeek == System.DayOfWeek.Sunday ? (byte)7 : (byte)local.DayOfWeek;
        var fractions = (byte)(local.Ticks % TimeSpan.TicksPerSecond * 256 / TimeSpan.TicksPerSecond);
        return new CurrentTime(
            new GattDateTime((ushort)local.Year, (byte)local.Month, (byte)local.Day, (byte)local.Hour, (byte)local.Minute, (byte)local.Second),
            dayOfWeek, fractions, adjustReason);
    }

    public bool TryFormat(Span<byte> destination, out int written)
    {
        written = 0;
        if (destination.Length < Length || DayOfWeek > 7 || !DateTime.TryFormat(destination, out _))
        {
            return false;
        }
        destination[7] = DayOfWeek;
        destination[8] = Fractions256;
        destination[9] = AdjustReason;
        written = Length;
        return true;
    }

    /// <summary>The device's wall-clock time with its fractions, when the date is known.</summary>
    public bool TryGetDateTime(out DateTime time)
    {
        if (!DateTime.TryGetDateTime(out time))
        {
            return false;
        }
        time = time.AddTicks(Fractions256 * TimeSpan.TicksPerSecond / 256);
        return true;
    }
}
