using System.Buffers.Binary;
using System.Globalization;

namespace Vitals.Devices.Gatt;

/// <summary>
/// The 9-byte GHS time stamp (docs/devices.md): flags (b0 tick counter, b1 UTC, b2..3 resolution 1 s / 100 ms / 1 ms /
/// 100 us, b4 TZ/DST offset present, b5 current timeline), u48 ticks since 2000-01-01T00:00:00, sync source u8,
/// TZ/DST offset s8 in 15-minute units.
/// </summary>
public readonly record struct GhsTimeStamp(byte Flags, ulong Ticks, byte SyncSource, sbyte Offset)
{
    public const int Length = 9;

    public const byte TickCounterFlag = 0x01;
    public const byte UtcFlag = 0x02;
    public const byte OffsetFlag = 0x10;
    public const byte CurrentTimelineFlag = 0x20;
    public const ulong MaxTicks = (1UL << 48) - 1;

    private static readonly DateTime Epoch = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    /// <summary>
    /// The start of the GHS time scale as an instant (2000-01-01 UTC, taken a day later so that a local clock counting
    /// from its own zone's midnight is caught too): a time stamp at or before it is a counter that was reset.
    /// </summary>
    public static DateTimeOffset EpochInstant { get; } = new(2000, 1, 2, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A UTC time stamp in whole seconds since 2000-01-01 (flags: UTC, 1 s resolution, no zone, current timeline), as a
    /// sensor whose clock has not been set since sends it. Times before the epoch are not representable and become the
    /// epoch.
    /// </summary>
    public static GhsTimeStamp FromUtc(DateTimeOffset time)
    {
        var seconds = (time.UtcDateTime - Epoch).Ticks / TimeSpan.TicksPerSecond;
        return new GhsTimeStamp(UtcFlag | CurrentTimelineFlag, (ulong)Math.Max(0, seconds), 0, 0);
    }

    /// <summary>A tick counter is a relative clock: it cannot place a record on the calendar.</summary>
    public bool IsTickCounter => (Flags & TickCounterFlag) != 0;

    public bool IsUtc => (Flags & UtcFlag) != 0;

    public bool HasOffset => (Flags & OffsetFlag) != 0;

    /// <summary>The length of one tick (b2..3).</summary>
    public TimeSpan Resolution => ((Flags >> 2) & 0x03) switch
    {
        0 => TimeSpan.FromSeconds(1),
        1 => TimeSpan.FromMilliseconds(100),
        2 => TimeSpan.FromMilliseconds(1),
        _ => TimeSpan.FromTicks(1000),
    };

    /// <summary>
    /// b5: the time stamp is on the clock's current timeline. Clear, the clock has been set (or reset) since the
    /// observation was stamped, so the stamp is on an earlier timeline that the clock's present offset says nothing about.
    /// </summary>
    public bool IsOnCurrentTimeline => (Flags & CurrentTimelineFlag) != 0;

    /// <summary>
    /// The sync source names an external time reference (GHS Time Sync Source Type: 1 NTP, 2 GPS, 3 radio time signal,
    /// 5 atomic clock, 6 cellular network), so the stamp is an absolute time whichever timeline it is on; 0 unknown,
    /// 4 manual and 7 not synchronised are not.
    /// </summary>
    public bool IsSynchronised => SyncSource is 1 or 2 or 3 or 5 or 6;

    /// <summary>The zone offset the sensor states (b4), or null.</summary>
    public TimeSpan? ZoneOffset => HasOffset ? TimeSpan.FromMinutes(15 * Offset) : null;

    public static bool TryParse(ReadOnlySpan<byte> data, out GhsTimeStamp value, out DecodeError error)
    {
        value = default;
        if (data.Length < Length)
        {
            error = GattErrors.Truncated(0, "GHS time stamp", Length, data.Length);
            return false;
        }
        var ticks = BinaryPrimitives.ReadUInt32LittleEndian(data[1..]) | (ulong)BinaryPrimitives.ReadUInt16LittleEndian(data[5..]) << 32;
        value = new GhsTimeStamp(data[0], ticks, data[7], (sbyte)data[8]);
        if (value.HasOffset && Math.Abs((int)value.Offset) > 56)
        {
            error = GattErrors.At(8, string.Create(CultureInfo.InvariantCulture, $"time zone offset {value.Offset} x 15 min is outside -14h..+14h"));
            value = default;
            return false;
        }
        error = default;
        return true;
    }

    public bool TryFormat(Span<byte> destination, out int written)
    {
        written = 0;
        if (destination.Length < Length || Ticks > MaxTicks)
        {
            return false;
        }
        destination[0] = Flags;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[1..], (uint)Ticks);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[5..], (ushort)(Ticks >> 32));
        destination[7] = SyncSource;
        destination[8] = (byte)Offset;
        written = Length;
        return true;
    }

    /// <summary>
    /// The calendar time the ticks stand for, as a wall-clock (<paramref name="time"/> without zone) plus the offset
    /// when the sensor said it (UTC flag: offset 0 if no zone; local with zone: that zone). False for a tick counter
    /// or a time beyond year 9999.
    /// </summary>
    public bool TryGetTime(out DateTime time, out TimeSpan? offset)
    {
        time = default;
        offset = null;
        if (IsTickCounter)
        {
            return false;
        }
        var unit = Resolution.Ticks;
        var max = (DateTime.MaxValue - Epoch).Ticks / unit;
        if (Ticks > (ulong)max)
        {
            return false;
        }
        var elapsed = Epoch.AddTicks((long)Ticks * unit);
        if (IsUtc)
        {
            // UTC ticks: the stated zone (if any) only changes how the time is shown.
            var zone = ZoneOffset ?? TimeSpan.Zero;
            var local = elapsed + zone;
            if (local < DateTime.MinValue.AddDays(1) || local > DateTime.MaxValue.AddDays(-1))
            {
                return false;
            }
            time = local;
            offset = zone;
            return true;
        }
        time = elapsed;
        offset = ZoneOffset;
        return true;
    }
}
