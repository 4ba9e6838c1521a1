namespace Vitals.Devices;

/// <summary>The UCUM codes the gateway emits.</summary>
public static class Ucum
{
    public const string Celsius = "Cel";
    public const string Fahrenheit = "[degF]";
    public const string Kilogram = "kg";
    public const string Gram = "g";
    public const string Pound = "[lb_av]";
    public const string MillimetreMercury = "mm[Hg]";
    public const string Kilopascal = "kPa";
    public const string PerMinute = "/min";
    public const string Percent = "%";
    public const string Centimetre = "cm";
    public const string Inch = "[in_i]";
    public const string KilogramPerSquareMetre = "kg/m2";

    /// <summary>1 kPa = 7.50062 mm[Hg] (docs/fhir.md).</summary>
    public const decimal MillimetresMercuryPerKilopascal = 7.50062m;
}
