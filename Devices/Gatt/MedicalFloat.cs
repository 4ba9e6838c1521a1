using System.Globalization;

namespace Vitals.Devices.Gatt;

/// <summary>
/// A decoded IEEE 11073-20601 SFLOAT or FLOAT: either a number (<see cref="Value"/>, whose decimal scale is the
/// negated exponent the device used, so 37.60 stays 37.60) or one of the special values (<see cref="Absent"/>: NaN,
/// NRes, +/-INF), which are never turned into numbers (docs/devices.md, "IEEE 11073-20601 numbers").
/// Equality includes the scale: 2, 2.0 and 2.00 are different readings.
/// </summary>
public readonly struct MedicalFloat : IEquatable<MedicalFloat>
{
    public MedicalFloat(decimal value)
    {
        Value = value;
        Absent = AbsentReason.None;
    }

    private MedicalFloat(AbsentReason absent)
    {
        Value = 0m;
        Absent = absent;
    }

    public decimal Value { get; }

    public AbsentReason Absent { get; }

    public bool HasValue => Absent == AbsentReason.None;

    public static MedicalFloat NaN { get; } = new(AbsentReason.NotANumber);

    /// <summary>NRes (not at this resolution) and the reserved codes: the device could not say a number.</summary>
    public static MedicalFloat NotAtThisResolution { get; } = new(AbsentReason.Error);

    public static MedicalFloat PositiveInfinity { get; } = new(AbsentReason.PositiveInfinity);

    public static MedicalFloat NegativeInfinity { get; } = new(AbsentReason.NegativeInfinity);

    public Quantity ToQuantity(string unit) => HasValue ? new Quantity(Value, unit) : Quantity.Missing(Absent, unit);

    public bool Equals(MedicalFloat other) =>
        Absent == other.Absent && Value == other.Value && Value.Scale == other.Value.Scale;

    public override bool Equals(object? obj) => obj is MedicalFloat other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Absent, Value, Value.Scale);

    public static bool operator ==(MedicalFloat left, MedicalFloat right) => left.Equals(right);

    public static bool operator !=(MedicalFloat left, MedicalFloat right) => !left.Equals(right);

    public override string ToString() => HasValue ? Value.ToString(CultureInfo.InvariantCulture) : Absent.ToString();

    internal static MedicalFloat Special(AbsentReason reason) => new(reason);

    /// <summary>
    /// mantissa x 10^exponent as a decimal that keeps the exponent as scale. False when decimal cannot hold it
    /// (FLOAT exponents below -28, or products above decimal's range): no vital sign needs those.
    /// </summary>
    internal static bool TryCompose(int mantissa, int exponent, out MedicalFloat value)
    {
        var negative = mantissa < 0;
        var magnitude = (uint)Math.Abs(mantissa);
        if (exponent <= 0)
        {
            if (exponent < -28)
            {
                value = default;
                return false;
            }
            value = new MedicalFloat(new decimal((int)magnitude, 0, 0, negative, (byte)-exponent));
            return true;
        }
        // A positive exponent has no decimal scale to live in: the value becomes an integer (2 x 10^1 = 20).
        // magnitude < 2^24 and 10^exponent are exact in UInt128 up to exponent 31, then the decimal range decides.
        if (exponent > 28)
        {
            value = default;
            return false;
        }
        var product = (UInt128)magnitude * Pow10(exponent);
        if (product >> 96 != 0)
        {
            value = default;
            return false;
        }
        var lo = (int)(uint)product;
        var mid = (int)(uint)(product >> 32);
        var hi = (int)(uint)(product >> 64);
        value = new MedicalFloat(new decimal(lo, mid, hi, negative, 0));
        return true;
    }

    /// <summary>
    /// Splits a number into a mantissa within [<paramref name="minMantissa"/>, <paramref name="maxMantissa"/>] and an
    /// exponent within [<paramref name="minExponent"/>, <paramref name="maxExponent"/>] without losing precision:
    /// the scale becomes the exponent; only an integer's trailing zeros may move into a positive exponent.
    /// </summary>
    internal bool TryDecompose(int minMantissa, int maxMantissa, int minExponent, int maxExponent, out int mantissa, out int exponent)
    {
        mantissa = 0;
        exponent = 0;
        if (!HasValue)
        {
            return false;
        }
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(Value, bits);
        var magnitude = (UInt128)(uint)bits[0] | (UInt128)(uint)bits[1] << 32 | (UInt128)(uint)bits[2] << 64;
        var scale = Value.Scale;
        var e = -scale;
        if (scale == 0)
        {
            while (magnitude != 0 && magnitude > (uint)maxMantissa && magnitude % 10 == 0 && e < maxExponent)
            {
                magnitude /= 10;
                e++;
            }
        }
        if (magnitude > (uint)maxMantissa + 1)
        {
            return false;
        }
        var m = (long)magnitude;
        if ((bits[3] & int.MinValue) != 0)
        {
            m = -m;
        }
        if (m < minMantissa || m > maxMantissa || e < minExponent || e > maxExponent)
        {
            return false;
        }
        mantissa = (int)m;
        exponent = e;
        return true;
    }

    private static UInt128 Pow10(int exponent)
    {
        UInt128 result = 1;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }
        return result;
    }
}
