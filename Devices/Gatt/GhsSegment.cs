namespace Vitals.Devices.Gatt;

/// <summary>
/// One notification of the Generic Health Sensor observation characteristics (Live 0x2B8B, Stored 0x2BDD): a
/// segmentation byte (b0 first, b1 last, b2..7 rolling counter) and a piece of a record (docs/devices.md). A ref struct: the
/// payload is a view of the notification, nothing is copied.
/// </summary>
public readonly ref struct GhsSegment
{
    public const byte FirstFlag = 0x01;
    public const byte LastFlag = 0x02;
    public const int CounterModulus = 64;

    public GhsSegment(bool first, bool last, int counter, ReadOnlySpan<byte> payload)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(counter);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(counter, CounterModulus);
        First = first;
        Last = last;
        Counter = counter;
        Payload = payload;
    }

    public bool First { get; }

    public bool Last { get; }

    /// <summary>0..63, one more (mod 64) for each segment the sensor sends.</summary>
    public int Counter { get; }

    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>First and last at once: the whole record is in this notification.</summary>
    public bool IsWholeRecord => First && Last;

    public byte Header => (byte)((First ? FirstFlag : 0) | (Last ? LastFlag : 0) | Counter << 2);

    public static bool TryParse(ReadOnlySpan<byte> data, out GhsSegment value, out DecodeError error)
    {
        value = default;
        if (data.Length < 2)
        {
            error = data.IsEmpty
                ? GattErrors.Truncated(0, "segmentation header", 1, 0)
                : GattErrors.Truncated(1, "segment payload", 1, 0);
            return false;
        }
        var header = data[0];
        value = new GhsSegment((header & FirstFlag) != 0, (header & LastFlag) != 0, header >> 2, data[1..]);
        error = default;
        return true;
    }

    public bool TryFormat(Span<byte> destination, out int written)
    {
        written = 0;
        if (destination.Length < 1 + Payload.Length)
        {
            return false;
        }
        destination[0] = Header;
        Payload.CopyTo(destination[1..]);
        written = 1 + Payload.Length;
        return true;
    }
}
