using Vitals.Devices;

namespace Vitals.Gateway.Fhir;

/// <summary>
/// kPa to mm[Hg] for the R4 bp profile, which only allows mm[Hg] (HL7 FHIR R4 bp profile, valueQuantity bound to mm[Hg]).
/// Precision rule: the result keeps as many significant digits as the device sent (16.0 kPa has three, so
/// 120.00992 becomes 120; 17.33 kPa has four, so 129.9857 becomes 130.0), because more digits would claim a precision
/// the cuff never had. It is never coarser than 1 mm[Hg], the resolution every cuff displays (16 kPa gives 120,
/// not 1.2E2). Rounding is half away from zero.
/// </summary>
public static class PressureConversion
{
    public static decimal KilopascalToMillimetresMercury(decimal kilopascal)
    {
        var exact = kilopascal * Ucum.MillimetresMercuryPerKilopascal;
        var decimals = Math.Max(0, SignificantDigits(kilopascal) - IntegerDigits(exact));
        return Math.Round(exact, decimals, MidpointRounding.AwayFromZero);
    }

    /// <summary>Digits of the unscaled value without leading zeros: 16.0 has 3, 0.05 has 1, 120 has 3.</summary>
    internal static int SignificantDigits(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var unscaled = new decimal(bits[0], bits[1], bits[2], false, 0);
        var digits = 0;
        for (var v = decimal.Truncate(unscaled); v >= 1m; v = decimal.Truncate(v / 10m))
        {
            digits++;
        }
        return Math.Max(digits, 1);
    }

    /// <summary>Position of the leading digit relative to the decimal point: 120.4 is 3, 0.5 is 0, 0.05 is -1.</summary>
    private static int IntegerDigits(decimal value)
    {
        value = Math.Abs(value);
        if (value == 0m)
        {
            return 1;
        }
        var digits = 0;
        if (value >= 1m)
        {
            for (var v = decimal.Truncate(value); v >= 1m; v = decimal.Truncate(v / 10m))
            {
                digits++;
            }
            return digits;
        }
        for (var v = value; v < 0.1m; v *= 10m)
        {
            digits--;
        }
        return digits;
    }
}
