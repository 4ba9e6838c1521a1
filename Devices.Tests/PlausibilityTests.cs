using Vitals.Devices;

namespace Vitals.Devices.Tests;

// The bounds per kind and unit run through the JSON vectors (TestData/Json/vectors.json); these pin the
// conversions and the parts a JSON payload cannot reach (absent values, the field names in Where).
public sealed class PlausibilityTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 8, 35, 0, TimeSpan.FromHours(1));
    private static readonly DecodeContext Context = new(Now, TimeZoneInfo.Utc, PlausibilityLimits.Default);

    [Theory]
    [InlineData(VitalKind.BodyTemperature, "113", "[degF]", "45")]
    [InlineData(VitalKind.BodyTemperature, "77", "[degF]", "25")]
    [InlineData(VitalKind.BodyTemperature, "37.2", "Cel", "37.2")]
    [InlineData(VitalKind.BodyWeight, "1", "[lb_av]", "0.45359237")]
    [InlineData(VitalKind.BodyWeight, "1500", "g", "1.5")]
    [InlineData(VitalKind.BloodPressure, "1", "kPa", "7.50062")]
    [InlineData(VitalKind.HeartRate, "72", "/min", "72")]
    public void Converts_to_the_canonical_unit_exactly(VitalKind kind, string value, string unit, string expected)
    {
        Assert.True(Plausibility.TryToCanonical(kind, new Quantity(decimal.Parse(value), unit), out var canonical));
        Assert.Equal(decimal.Parse(expected), canonical);
    }

    [Fact]
    public void Values_too_large_to_convert_are_implausible_not_an_overflow()
    {
        Assert.False(Plausibility.TryToCanonical(VitalKind.BloodPressure, new Quantity(decimal.MaxValue, Ucum.Kilopascal), out _));
        Assert.False(Plausibility.TryToCanonical(VitalKind.BodyTemperature, new Quantity(decimal.MinValue, Ucum.Fahrenheit), out _));

        var reading = Bp(decimal.MaxValue, 80m) with { Systolic = new Quantity(decimal.MaxValue, Ucum.Kilopascal), Diastolic = new Quantity(10m, Ucum.Kilopascal) };
        Assert.False(Plausibility.TryCheck(reading, Context, out var error));
        Assert.Equal("systolic", error.Where);
    }

    [Fact]
    public void A_unit_of_another_kind_is_a_bug()
    {
        Assert.Throws<ArgumentException>(() => Plausibility.TryToCanonical(VitalKind.BodyTemperature, new Quantity(70m, Ucum.Kilogram), out _));
    }

    [Fact]
    public void Where_names_the_field_without_a_json_path()
    {
        Assert.False(Plausibility.TryCheck(Bp(120m, 130m), Context, out var error));
        Assert.Equal(new DecodeError("diastolic", "diastolic 130 mm[Hg] is not below systolic 120 mm[Hg]"), error);

        Assert.False(Plausibility.TryCheck(Single(VitalKind.BodyTemperature, 80m, Ucum.Celsius), Context, out error));
        Assert.Equal(new DecodeError("value", "80 Cel is outside the plausible range 25-45 Cel"), error);
    }

    [Fact]
    public void Absent_values_are_not_range_checked()
    {
        // A device's special value (NaN, NRes) carries no number to check; the FHIR mapping reports it as absent.
        var reading = Bp(120m, 80m) with { Systolic = Quantity.Missing(AbsentReason.NotANumber, Ucum.MillimetreMercury) };

        Assert.True(Plausibility.TryCheck(reading, Context, out var error), error.ToString());
    }

    [Fact]
    public void Systolic_and_diastolic_are_compared_across_units()
    {
        var reading = Bp(16m, 10m) with
        {
            Systolic = new Quantity(16m, Ucum.Kilopascal),   // 120.01 mm[Hg]
            Diastolic = new Quantity(121m, Ucum.MillimetreMercury),
        };

        Assert.False(Plausibility.TryCheck(reading, Context, out var error));
        Assert.Equal("diastolic", error.Where);
    }

    [Fact]
    public void Receipt_time_is_never_in_the_future()
    {
        var reading = Single(VitalKind.HeartRate, 72m, Ucum.PerMinute) with
        {
            EffectiveTime = Now.AddHours(1),
            TimeQuality = TimeQuality.ReceiptTime,
        };
        Assert.True(Plausibility.TryCheck(reading, Context, out _));

        Assert.False(Plausibility.TryCheck(reading with { TimeQuality = TimeQuality.DeviceWithOffset, DeviceTime = "x" }, Context, out var error));
        Assert.Equal(new DecodeError("time", "time x is 1h in the future (more than the allowed 10m)"), error);
    }

    private static Reading Single(VitalKind kind, decimal value, string unit) => new()
    {
        DeviceId = "dev-1",
        Kind = kind,
        EffectiveTime = Now,
        Value = new Quantity(value, unit),
    };

    private static Reading Bp(decimal systolic, decimal diastolic) => new()
    {
        DeviceId = "dev-1",
        Kind = VitalKind.BloodPressure,
        EffectiveTime = Now,
        Systolic = new Quantity(systolic, Ucum.MillimetreMercury),
        Diastolic = new Quantity(diastolic, Ucum.MillimetreMercury),
    };
}
