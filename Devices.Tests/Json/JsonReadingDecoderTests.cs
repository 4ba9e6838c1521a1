using System.Text;
using Vitals.Devices;
using Vitals.Devices.Json;

namespace Vitals.Devices.Tests.Json;

// The contract's cases run through MessageDecoder from TestData/Json/vectors.json; these cover what the vectors
// cannot show: decimal scale, a zone that tzdata does not define, and the de-duplication identity.
public sealed class JsonReadingDecoderTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 11, 25, 8, 35, 0, TimeSpan.FromHours(1));

    [Theory]
    [InlineData("body-temperature", """{"value": 37.60, "unit": "Cel"}""", 2, "37.60")]
    [InlineData("body-temperature", """{"value": 98.600, "unit": "[degF]"}""", 3, "98.600")]
    [InlineData("body-weight", """{"value": 72.0, "unit": "kg"}""", 1, "72.0")]
    [InlineData("oxygen-saturation", """{"value": 97}""", 0, "97")]
    public void Value_keeps_the_scale_it_was_written_with(string kindName, string json, int scale, string text)
    {
        Assert.True(VitalKindNames.TryParse(kindName, out var kind));

        var reading = Decode(kind, json, DecodeContext.At(ReceivedAt));

        Assert.Equal(scale, reading.Value!.Value.Value.Scale);
        Assert.Equal(text, reading.Value.Value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Blood_pressure_values_keep_their_scale()
    {
        var reading = Decode(VitalKind.BloodPressure, """{"systolic": 120.0, "diastolic": 80.00, "mean": 93.30, "pulse": 64.0, "unit": "mmHg"}""", DecodeContext.At(ReceivedAt));

        Assert.Equal((1, 2, 2, 1), (reading.Systolic!.Value.Value.Scale, reading.Diastolic!.Value.Value.Scale,
            reading.MeanArterial!.Value.Value.Scale, reading.Pulse!.Value.Value.Scale));
    }

    [Fact]
    public void Time_without_offset_uses_the_context_zone()
    {
        var zone = TimeZoneInfo.CreateCustomTimeZone("Test/PlusFiveThirty", TimeSpan.FromMinutes(330), "UTC+05:30", "UTC+05:30");
        var context = new DecodeContext(new DateTimeOffset(2026, 11, 25, 14, 0, 0, TimeSpan.FromMinutes(330)), zone, PlausibilityLimits.Default);

        var reading = Decode(VitalKind.HeartRate, """{"value": 72, "time": "2026-11-25T13:45:00"}""", context);

        Assert.Equal(new DateTimeOffset(2026, 11, 25, 13, 45, 0, TimeSpan.FromMinutes(330)), reading.EffectiveTime);
        Assert.Equal(TimeSpan.FromMinutes(330), reading.EffectiveTime.Offset);
        Assert.Equal(TimeQuality.AssumedLocalZone, reading.TimeQuality);
    }

    [Fact]
    public void A_resent_measurement_has_the_same_identity_whenever_it_arrives()
    {
        const string json = """{"value": 37.2, "unit": "Cel", "time": "2026-11-25T08:30:00+01:00", "id": 9}""";

        var first = Decode(VitalKind.BodyTemperature, json, DecodeContext.At(ReceivedAt));
        var resent = Decode(VitalKind.BodyTemperature, json, DecodeContext.At(ReceivedAt.AddMinutes(5)));
        var other = Decode(VitalKind.BodyTemperature, json.Replace("08:30:00", "08:31:00"), DecodeContext.At(ReceivedAt));

        Assert.Equal(ReadingIdentity.Key(first), ReadingIdentity.Key(resent));
        Assert.NotEqual(ReadingIdentity.Key(first), ReadingIdentity.Key(other));
    }

    [Fact]
    public void Context_limits_are_applied()
    {
        var context = DecodeContext.At(ReceivedAt) with { Limits = PlausibilityLimits.Default with { SpO2Min = 70m } };

        Assert.False(JsonReadingDecoder.TryDecode("dev-1", VitalKind.OxygenSaturation, """{"value": 69}"""u8, context, out var reading, out var error));
        Assert.Null(reading);
        Assert.Equal("$.value: 69 % is outside the plausible range 70-100 %", error.ToString());
    }

    private static Reading Decode(VitalKind kind, string json, DecodeContext context)
    {
        Assert.True(JsonReadingDecoder.TryDecode("dev-1", kind, Encoding.UTF8.GetBytes(json), context, out var reading, out var error), error.ToString());
        return reading;
    }
}
