namespace Vitals.Devices.Gatt;

/// <summary>
/// Temperature Measurement 0x2A1C (5..13 bytes): flags (b0 Fahrenheit, b1 time stamp, b2 temperature type), FLOAT
/// temperature, [Date Time], [type u8]. Reserved flag bits are ignored, as the Bluetooth specs require of a client.
/// </summary>
public readonly record struct TemperatureMeasurement(
    MedicalFloat Temperature,
    bool Fahrenheit,
    GattDateTime? TimeStamp = null,
    TemperatureType? Type = null)
{
    public const int MinLength = 5;
    public const int MaxLength = 13;

    private const byte FahrenheitFlag = 0x01;
    private const byte TimeStampFlag = 0x02;
    private const byte TypeFlag = 0x04;

    public string Unit => Fahrenheit ? Ucum.Fahrenheit : Ucum.Celsius;

    /// <summary>Byte offset of the time stamp (when present), for error messages.</summary>
    public const int TimeStampOffset = 5;

    /// <summary>Byte offset of the field that carried <paramref name="field"/> (places a plausibility error).</summary>
    public static int OffsetOf(ReadingField field) => field == ReadingField.Time ? TimeStampOffset : 1;

    public static bool TryParse(ReadOnlySpan<byte> data, out TemperatureMeasurement value, out DecodeError error)
    {
        value = default;
        var reader = new GattReader(data);
        if (!reader.TryU8("flags", out var flags, out error)
            || !reader.TryFloat("temperature", out var temperature, out error))
        {
            return false;
        }
        GattDateTime? stamp = null;
        if ((flags & TimeStampFlag) != 0)
        {
            if (!reader.TryDateTime("time stamp (flag b1)", out var t, out error)) return false;
            stamp = t;
        }
        TemperatureType? type = null;
        if ((flags & TypeFlag) != 0)
        {
            if (!reader.TryU8("temperature type (flag b2)", out var t, out error)) return false;
            type = new TemperatureType(t);
        }
        if (!reader.AtEnd(out error))
        {
            return false;
        }
        value = new TemperatureMeasurement(temperature, (flags & FahrenheitFlag) != 0, stamp, type);
        return true;
    }

    public bool TryFormat(Span<byte> destination, out int written)
    {
        written = 0;
        var length = MinLength + (TimeStamp.HasValue ? GattDateTime.Length : 0) + (Type.HasValue ? 1 : 0);
        if (destination.Length < length || !Float32.TryEncode(Temperature, out var raw))
        {
            return false;
        }
        destination[0] = (byte)((Fahrenheit ? FahrenheitFlag : 0) | (TimeStamp.HasValue ? TimeStampFlag : 0) | (Type.HasValue ? TypeFlag : 0));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(destination[1..], raw);
        var at = MinLength;
        if (TimeStamp is { } stamp)
        {
            if (!stamp.TryFormat(destination[at..], out var n)) return false;
            at += n;
        }
        if (Type is { } type)
        {
            destination[at++] = type.Value;
        }
        written = at;
        return true;
    }
}
