namespace Vitals.Devices.Gatt;

/// <summary>
/// IEEE 11073-20601 SFLOAT (16 bit): signed 4-bit exponent (bits 15..12), signed 12-bit mantissa (bits 11..0).
/// The special codes are tested on the raw value before sign extension (docs/devices.md).
/// </summary>
public static class Sfloat
{
    public const ushort NaN = 0x07FF;
    public const ushort NRes = 0x0800;
    public const ushort Reserved = 0x0801;
    public const ushort PositiveInfinity = 0x07FE;
    public const ushort NegativeInfinity = 0x0802;

    public const int MinMantissa = -2048;
    public const int MaxMantissa = 2047;
    public const int MinExponent = -8;
    public const int MaxExponent = 7;

    /// <summary>Always true for SFLOAT (every exponent fits a decimal); kept as Try for symmetry with FLOAT.</summary>
    public static bool TryDecode(ushort raw, out MedicalFloat value)
    {
        switch (raw)
        {
            case NaN: value = MedicalFloat.NaN; return true;
            case NRes or Reserved: value = MedicalFloat.NotAtThisResolution; return true;
            case PositiveInfinity: value = MedicalFloat.PositiveInfinity; return true;
            case NegativeInfinity: value = MedicalFloat.NegativeInfinity; return true;
        }
        var exponent = (short)raw >> 12;
        var mantissa = (raw & 0x0FFF) << 20 >> 20;
        return MedicalFloat.TryCompose(mantissa, exponent, out value);
    }

    /// <summary>
    /// The SFLOAT for a value; false when it cannot be said exactly in 16 bits, or when the only encoding would be a
    /// special code (2046, 2047, -2048, -2047, -2046 with exponent 0).
    /// </summary>
    public static bool TryEncode(MedicalFloat value, out ushort raw)
    {
        switch (value.Absent)
        {
            case AbsentReason.None: break;
            case AbsentReason.NotANumber: raw = NaN; return true;
            case AbsentReason.Error: raw = NRes; return true;
            case AbsentReason.PositiveInfinity: raw = PositiveInfinity; return true;
            case AbsentReason.NegativeInfinity: raw = NegativeInfinity; return true;
            default: raw = 0; return false;
        }
        if (!value.TryDecompose(MinMantissa, MaxMantissa, MinExponent, MaxExponent, out var mantissa, out var exponent))
        {
            raw = 0;
            return false;
        }
        raw = (ushort)((exponent << 12) | (mantissa & 0x0FFF));
        return raw is not (NaN or NRes or Reserved or PositiveInfinity or NegativeInfinity);
    }
}
