using System.Buffers.Binary;
using System.Globalization;

namespace Vitals.Devices.Gatt;

/// <summary>
/// Heart Rate Measurement 0x2A37: flags (b0 u16 value, b1..2 sensor contact status, b3 energy expended, b4
/// RR-intervals), heart rate (u8 or u16 per minute), [energy expended u16 kJ], [RR-intervals u16 x n, 1/1024 s].
/// RR-intervals are beat intervals, not respiration (docs/devices.md). Reserved flag bits are ignored.
/// </summary>
public readonly record struct HeartRateMeasurement
{
    public const int MinLength = 2;

    /// <summary>Byte offset of the heart rate, the only field a plausibility error can be about.</summary>
    public const int HeartRateOffset = 1;

    public const byte Uint16Flag = 0x01;
    public const byte ContactDetectedFlag = 0x02;
    public const byte ContactSupportedFlag = 0x04;
    public const byte EnergyExpendedFlag = 0x08;
    public const byte RrIntervalFlag = 0x10;

    private readonly RrIntervals _rr;

    /// <param name="hasRrIntervals">Flag b4; a device may set it with no interval in a notification, so it is not implied by the count.</param>
    public HeartRateMeasurement(ushort heartRate, bool wide, SensorContact contact, ushort? energyExpended, bool hasRrIntervals, ReadOnlySpan<ushort> rrIntervals)
    {
        if (!wide && heartRate > byte.MaxValue) throw new ArgumentOutOfRangeException(nameof(heartRate), "an 8-bit heart rate is at most 255");
        if (rrIntervals.Length > RrIntervals.Capacity || (!hasRrIntervals && !rrIntervals.IsEmpty)) throw new ArgumentOutOfRangeException(nameof(rrIntervals));
        HeartRate = heartRate;
        Wide = wide;
        Contact = contact;
        EnergyExpended = energyExpended;
        HasRrIntervals = hasRrIntervals;
        RrIntervalCount = rrIntervals.Length;
        rrIntervals.CopyTo(_rr);
    }

    public ushort HeartRate { get; }

    /// <summary>The value was sent as u16 (flag b0).</summary>
    public bool Wide { get; }

    public SensorContact Contact { get; }

    public ushort? EnergyExpended { get; }

    /// <summary>Flag b4 (a device may set it with no interval in this notification).</summary>
    public bool HasRrIntervals { get; }

    public int RrIntervalCount { get; }

    public ushort RrInterval(int index) =>
        (uint)index < (uint)RrIntervalCount ? _rr[index] : throw new ArgumentOutOfRangeException(nameof(index));

    public bool Equals(HeartRateMeasurement other)
    {
        if (HeartRate != other.HeartRate || Wide != other.Wide || Contact != other.Contact || EnergyExpended != other.EnergyExpended
            || HasRrIntervals != other.HasRrIntervals || RrIntervalCount != other.RrIntervalCount)
        {
            return false;
        }
        ReadOnlySpan<ushort> mine = _rr, theirs = other._rr;
        return mine[..RrIntervalCount].SequenceEqual(theirs[..RrIntervalCount]);
    }

    public override int GetHashCode() => HashCode.Combine(HeartRate, Wide, Contact, EnergyExpended, RrIntervalCount);

    public static bool TryParse(ReadOnlySpan<byte> data, out HeartRateMeasurement value, out DecodeError error)
    {
        value = default;
        var reader = new GattReader(data);
        if (!reader.TryU8("flags", out var flags, out error)) return false;
        ushort rate;
        if ((flags & Uint16Flag) != 0)
        {
            if (!reader.TryU16("heart rate (u16, flag b0)", out rate, out error)) return false;
        }
        else
        {
            if (!reader.TryU8("heart rate", out var r, out error)) return false;
            rate = r;
        }
        ushort? energy = null;
        if ((flags & EnergyExpendedFlag) != 0)
        {
            if (!reader.TryU16("energy expended (flag b3)", out var e, out error)) return false;
            energy = e;
        }
        Span<ushort> rr = stackalloc ushort[RrIntervals.Capacity];
        var count = 0;
        if ((flags & RrIntervalFlag) != 0)
        {
            if (reader.Remaining % 2 != 0)
            {
                error = GattErrors.At(data.Length - 1, "truncated: the RR-intervals (flag b4) are u16 each, an odd byte remains");
                return false;
            }
            if (reader.Remaining / 2 > RrIntervals.Capacity)
            {
                error = GattErrors.At(reader.Position, string.Create(CultureInfo.InvariantCulture,
                    $"{reader.Remaining / 2} RR-intervals; this gateway takes at most {RrIntervals.Capacity} per notification"));
                return false;
            }
            while (reader.Remaining > 0)
            {
                reader.TryU16("RR-interval", out rr[count++], out _);
            }
        }
        if (!reader.AtEnd(out error)) return false;
        value = new HeartRateMeasurement(rate, (flags & Uint16Flag) != 0, (SensorContact)((flags >> 1) & 0x03), energy,
            (flags & RrIntervalFlag) != 0, rr[..count]);
        return true;
    }

    public bool TryFormat(Span<byte> destination, out int written)
    {
        written = 0;
        var length = 1 + (Wide ? 2 : 1) + (EnergyExpended.HasValue ? 2 : 0) + 2 * RrIntervalCount;
        if (destination.Length < length || (!Wide && HeartRate > byte.MaxValue))
        {
            return false;
        }
        destination[0] = (byte)((Wide ? Uint16Flag : 0) | ((int)Contact << 1) | (EnergyExpended.HasValue ? EnergyExpendedFlag : 0)
            | (HasRrIntervals ? RrIntervalFlag : 0));
        var at = 1;
        if (Wide)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination[at..], HeartRate);
            at += 2;
        }
        else
        {
            destination[at++] = (byte)HeartRate;
        }
        if (EnergyExpended is { } energy)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination[at..], energy);
            at += 2;
        }
        for (var i = 0; i < RrIntervalCount; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination[at..], _rr[i]);
            at += 2;
        }
        written = at;
        return true;
    }
}
