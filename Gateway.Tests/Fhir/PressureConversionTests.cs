using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Tests.Fhir;

public sealed class PressureConversionTests
{
    [Theory]
    [InlineData("16.0", "120")]      // 120.00992: three significant digits
    [InlineData("10.9", "81.8")]     // 81.756758
    [InlineData("17.33", "130.0")]   // 129.9857446: four significant digits, the trailing zero stays
    [InlineData("13.33", "99.98")]   // 99.9832646
    [InlineData("16", "120")]        // two significant digits, but never coarser than 1 mm[Hg]
    [InlineData("5", "38")]          // 37.5031
    [InlineData("0", "0")]
    public void Keeps_the_inputs_significant_digits_and_whole_millimetres_at_least(string kilopascal, string expected)
    {
        var result = PressureConversion.KilopascalToMillimetresMercury(decimal.Parse(kilopascal, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(expected, result.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
