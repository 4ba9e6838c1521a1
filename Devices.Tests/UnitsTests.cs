using Vitals.Devices;

namespace Vitals.Devices.Tests;

public sealed class UnitsTests
{
    [Theory]
    [InlineData("Cel", VitalKind.BodyTemperature, "Cel")]
    [InlineData("°C", VitalKind.BodyTemperature, "Cel")]
    [InlineData("°c", VitalKind.BodyTemperature, "Cel")]
    [InlineData("C", VitalKind.BodyTemperature, "Cel")]
    [InlineData("[degF]", VitalKind.BodyTemperature, "[degF]")]
    [InlineData("°F", VitalKind.BodyTemperature, "[degF]")]
    [InlineData("F", VitalKind.BodyTemperature, "[degF]")]
    [InlineData("kg", VitalKind.BodyWeight, "kg")]
    [InlineData("g", VitalKind.BodyWeight, "g")]
    [InlineData("[lb_av]", VitalKind.BodyWeight, "[lb_av]")]
    [InlineData("lb", VitalKind.BodyWeight, "[lb_av]")]
    [InlineData("lbs", VitalKind.BodyWeight, "[lb_av]")]
    [InlineData("mm[Hg]", VitalKind.BloodPressure, "mm[Hg]")]
    [InlineData("mmHg", VitalKind.BloodPressure, "mm[Hg]")]
    [InlineData("kPa", VitalKind.BloodPressure, "kPa")]
    [InlineData("/min", VitalKind.HeartRate, "/min")]
    [InlineData("bpm", VitalKind.HeartRate, "/min")]
    [InlineData("/min", VitalKind.RespiratoryRate, "/min")]
    [InlineData("breaths/min", VitalKind.RespiratoryRate, "/min")]
    [InlineData("%", VitalKind.OxygenSaturation, "%")]
    [InlineData(" mmhg\t", VitalKind.BloodPressure, "mm[Hg]")]
    public void Unit_texts_normalise_to_UCUM(string text, VitalKind kind, string ucum)
    {
        Assert.True(Units.TryNormalize(text, kind, out var code));
        Assert.Equal(ucum, code);
    }

    [Fact]
    public void Every_alias_is_a_unit_of_exactly_the_kinds_that_accept_its_code()
    {
        foreach (var (text, ucum) in Units.Aliases)
        {
            foreach (var kind in VitalKindNames.All)
            {
                var accepted = Units.TryNormalize(text, kind, out var code);
                Assert.Equal(Units.Accepted(kind).Contains(ucum), accepted);
                Assert.Equal(accepted ? ucum : "", code);
            }
        }
    }

    [Theory]
    [InlineData("K")]
    [InlineData("mg")]
    [InlineData("cmHg")]
    [InlineData("")]
    [InlineData("°")]
    public void Other_texts_are_not_units(string text) => Assert.False(Units.TryNormalize(text, out _));

    [Fact]
    public void Single_unit_kinds_imply_their_unit()
    {
        Assert.Equal("/min", Units.Implied(VitalKind.RespiratoryRate));
        Assert.Equal("/min", Units.Implied(VitalKind.HeartRate));
        Assert.Equal("%", Units.Implied(VitalKind.OxygenSaturation));
        Assert.Null(Units.Implied(VitalKind.BodyTemperature));
        Assert.Null(Units.Implied(VitalKind.BodyWeight));
        Assert.Null(Units.Implied(VitalKind.BloodPressure));
    }

    [Theory]
    [InlineData(VitalKind.BodyTemperature, "Cel", "Cel or [degF]")]
    [InlineData(VitalKind.BodyWeight, "kg", "kg, g or [lb_av]")]
    [InlineData(VitalKind.BloodPressure, "mm[Hg]", "mm[Hg] or kPa")]
    [InlineData(VitalKind.HeartRate, "/min", "/min")]
    [InlineData(VitalKind.OxygenSaturation, "%", "%")]
    public void Canonical_unit_and_description(VitalKind kind, string canonical, string description)
    {
        Assert.Equal(canonical, Units.Canonical(kind));
        Assert.Equal(description, Units.Describe(kind));
    }
}
