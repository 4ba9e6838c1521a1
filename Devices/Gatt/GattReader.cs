using System.Buffers.Binary;
using System.Globalization;

namespace Vitals.Devices.Gatt;

/// <summary>
/// Little-endian field reader over one characteristic value. Every read is bounds-checked and reports a truncation
/// as "byte N: truncated: the {field} needs K bytes, R remain"; messages are only built on failure.
/// </summary>
internal ref struct GattReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;

    public int Position { get; private set; }

    public readonly int Remaining => _data.Length - Position;

    public bool TryU8(string field, out byte value, out DecodeError error)
    {
        if (!Need(1, field, out error)) { value = 0; return false; }
        value = _data[Position++];
        return true;
    }

    public bool TryU16(string field, out ushort value, out DecodeError error)
    {
        if (!Need(2, field, out error)) { value = 0; return false; }
        value = BinaryPrimitives.ReadUInt16LittleEndian(_data[Position..]);
        Position += 2;
        return true;
    }

    public bool TryU24(string field, out uint value, out DecodeError error)
    {
        if (!Need(3, field, out error)) { value = 0; return false; }
        value = (uint)(_data[Position] | _data[Position + 1] << 8 | _data[Position + 2] << 16);
        Position += 3;
        return true;
    }

    public bool TryU32(string field, out uint value, out DecodeError error)
    {
        if (!Need(4, field, out error)) { value = 0; return false; }
        value = BinaryPrimitives.ReadUInt32LittleEndian(_data[Position..]);
        Position += 4;
        return true;
    }

    public bool TrySfloat(string field, out MedicalFloat value, out DecodeError error)
    {
        var at = Position;
        if (!TryU16(field, out var raw, out error)) { value = default; return false; }
        // Every SFLOAT fits a decimal; the check stays for the invariant.
        if (Sfloat.TryDecode(raw, out value)) return true;
        error = GattErrors.At(at, $"the {field} SFLOAT 0x{raw:X4} is not representable");
        return false;
    }

    public bool TryFloat(string field, out MedicalFloat value, out DecodeError error)
    {
        var at = Position;
        if (!TryU32(field, out var raw, out error)) { value = default; return false; }
        if (Float32.TryDecode(raw, out value)) return true;
        error = GattErrors.At(at, string.Create(CultureInfo.InvariantCulture,
            $"the {field} FLOAT 0x{raw:X8} (exponent {(int)raw >> 24}) is outside the range a reading can have"));
        return false;
    }

    public bool TryDateTime(string field, out GattDateTime value, out DecodeError error)
    {
        var at = Position;
        if (!Need(GattDateTime.Length, field, out error)) { value = default; return false; }
        if (!GattDateTime.TryParse(_data.Slice(Position, GattDateTime.Length), out value, out var inner))
        {
            error = GattErrors.Shift(inner, at);
            return false;
        }
        Position += GattDateTime.Length;
        return true;
    }

    public ReadOnlySpan<byte> Take(int count)
    {
        var slice = _data.Slice(Position, count);
        Position += count;
        return slice;
    }

    /// <summary>Over-long input is refused: bytes this decoder does not understand could change what the others mean.</summary>
    public readonly bool AtEnd(out DecodeError error)
    {
        if (Position == _data.Length) { error = default; return true; }
        error = GattErrors.At(Position, string.Create(CultureInfo.InvariantCulture,
            $"{_data.Length - Position} unexpected byte(s) after the last field the flags announce ({_data.Length} bytes, expected {Position})"));
        return false;
    }

    public readonly bool Need(int count, string field, out DecodeError error)
    {
        if (Remaining >= count) { error = default; return true; }
        error = GattErrors.Truncated(Position, field, count, Remaining);
        return false;
    }
}
