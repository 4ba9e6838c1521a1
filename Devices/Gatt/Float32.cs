namespace Vitals.Devices.Gatt;

/// <summary>
/// IEEE 11073-20601 FLOAT (32 bit): signed 8-bit exponent (bits 31..24), signed 24-bit mantissa (bits 23..0).
/// The special codes are tested on the raw value before sign extension (docs/devices.md).
/// </summary>
public static class Float32
{
    public const uint NaN = 0x007FFFFF;
    public const uint NRes = 0x00800000;
    public const uint Reserved = 0x00800001;
    public const uint PositiveInfinity = 0x007FFFFE;
    public const uint NegativeInfinity = 0x00800002;

    public const int MinMantissa = -8_388_608;
    public const int MaxMantissa = 8_388_607;

    /// <summary>decimal keeps at most 28 fractional digits.</summary>
    public const int MinExponent = -28;
    public const int MaxExponent = 127;

    /// <summary>False only for numbers decimal cannot hold (exponent below -28, or a product beyond 7.9e28).</summary>
    public static bool TryDecode(uint raw, out MedicalFloat value)
    {
        switch (raw)
        {
            case NaN: value = MedicalFloat.NaN; return true;
            case NRes or Reserved: value = MedicalFloat.NotAtThisResolution; return true;
            case PositiveInfinity: value = MedicalFloat.PositiveInfinity; return true;
            case NegativeInfinity: value = MedicalFloat.NegativeInfinity; return true;
        }
        var exponent = (int)raw >> 24;
        var mantissa = (int)(raw << 8) >> 8;
        return MedicalFloat.TryCompose(mantissa, exponent, out value);
    }

    /// <summary>The FLOAT for a value; false when it cannot be said exactly in 32 bits or would collide with a special code.</summary>
    public static bool TryEncode(MedicalFloat value, out uint raw)
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
        raw = ((uint)exponent << 24) | ((uint)mantissa & 0x00FF_FFFF);
        return raw is not (NaN or NRes or Reserved or PositiveInfinity or NegativeInfinity);
    }
}
