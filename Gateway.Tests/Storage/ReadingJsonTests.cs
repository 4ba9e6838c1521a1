using System.Globalization;
using System.Text.Json;
using Vitals.Devices;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Tests.Storage;

public sealed class ReadingJsonTests
{
    private static string GoldenPath => Path.Combine(AppContext.BaseDirectory, "TestData", "Storage", "reading-v1.json");

    /// <summary>The reading stored in TestData/Storage/reading-v1.json: every field set, odd offset, fractional seconds.</summary>
    private static Reading Golden { get; } = new()
    {
        DeviceId = "AA:BB:CC:DD:EE:FF",
        Kind = VitalKind.BloodPressure,
        EffectiveTime = new DateTimeOffset(2026, 11, 25, 8, 30, 15, 250, TimeSpan.FromMinutes(330)),
        TimeQuality = TimeQuality.AssumedLocalZone,
        DeviceTime = "2026-11-25T08:30:15.25",
        MeasurementId = "0017",
        Systolic = new Quantity(128.50m, Ucum.MillimetreMercury),
        Diastolic = new Quantity(82m, Ucum.MillimetreMercury),
        MeanArterial = Quantity.Missing(AbsentReason.NotANumber, Ucum.MillimetreMercury),
        Pulse = new Quantity(64.0m, Ucum.PerMinute),
        Site = "left-arm",
        Status = MeasurementStatus.IrregularPulse | MeasurementStatus.CuffLoose,
    };

    [Fact]
    public void Decimal_keeps_its_scale()
    {
        var reading = Some.StoredThermometer(celsius: 37.60m);

        var json = ReadingJson.Serialize(reading);
        var back = ReadingJson.Deserialize(json);

        Assert.Contains("\"37.60\"", json);
        Assert.Equal("37.60", back.Value!.Value.Value.ToString(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("37.60")]
    [InlineData("0.000")]
    [InlineData("-12.5")]
    [InlineData("100")]
    [InlineData("79228162514264337593543950335")]
    [InlineData("0.0000000000000000000000000001")]
    public void Every_decimal_round_trips_exactly(string text)
    {
        var value = decimal.Parse(text, CultureInfo.InvariantCulture);
        var reading = Some.StoredThermometer() with { Value = new Quantity(value, Ucum.Kilogram) };

        var back = ReadingJson.Deserialize(ReadingJson.Serialize(reading));

        Assert.Equal(text, back.Value!.Value.Value.ToString(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(60)]
    [InlineData(-300)]
    [InlineData(345)]
    [InlineData(-720)]
    [InlineData(840)]
    public void Effective_time_keeps_its_offset_and_ticks(int offsetMinutes)
    {
        var at = new DateTimeOffset(2026, 3, 29, 1, 59, 59, TimeSpan.FromMinutes(offsetMinutes)).AddTicks(1234567);
        var reading = Some.StoredThermometer(at: at);

        var back = ReadingJson.Deserialize(ReadingJson.Serialize(reading));

        Assert.True(at.EqualsExact(back.EffectiveTime), $"{at:O} came back as {back.EffectiveTime:O}");
    }

    [Theory]
    [MemberData(nameof(AbsentReasons))]
    public void Absent_values_round_trip(AbsentReason reason)
    {
        var reading = Some.StoredThermometer() with { Value = Quantity.Missing(reason, Ucum.Celsius) };

        var back = ReadingJson.Deserialize(ReadingJson.Serialize(reading));

        Assert.Equal(reading.Value, back.Value);
        Assert.Equal(reason, back.Value!.Value.Absent);
    }

    public static TheoryData<AbsentReason> AbsentReasons() => new(Enum.GetValues<AbsentReason>());

    [Fact]
    public void Every_field_round_trips()
    {
        var back = ReadingJson.Deserialize(ReadingJson.Serialize(Golden));

        Assert.Equal(Golden, back);
        Assert.True(Golden.EffectiveTime.EqualsExact(back.EffectiveTime));
        Assert.Equal("128.50", back.Systolic!.Value.Value.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("64.0", back.Pulse!.Value.Value.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Optional_fields_left_out_stay_absent()
    {
        var bare = new Reading { DeviceId = "d", Kind = VitalKind.HeartRate, EffectiveTime = Some.MeasuredAt, TimeQuality = TimeQuality.ReceiptTime };

        var json = ReadingJson.Serialize(bare);
        var back = ReadingJson.Deserialize(json);

        Assert.Equal(bare, back);
        Assert.DoesNotContain("null", json);
    }

    [Fact]
    public void Stored_format_is_stable()
    {
        // Files written by this version must stay readable by later ones: this golden text is never changed, only
        // joined by newer ones.
        var golden = File.ReadAllText(GoldenPath).Trim();

        // Written before identity scheme 2: it reads back as scheme 1 and keeps its key and identifier.
        Assert.Equal(Golden with { IdentityScheme = 1 }, ReadingJson.Deserialize(golden));
        Assert.Equal(golden.TrimEnd('}') + ",\"identityScheme\":2}", ReadingJson.Serialize(Golden));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("{\"deviceId\":\"d\"}")]
    [InlineData("{\"deviceId\":\"d\",\"kind\":\"HeartRate\",\"effectiveTime\":\"2026-11-25T08:30:00+01:00\",\"value\":{\"value\":64,\"unit\":\"/min\"}}")]
    [InlineData("{\"deviceId\":\"d\",\"kind\":\"HeartRate\",\"effectiveTime\":\"2026-11-25T08:30:00+01:00\",\"value\":{\"value\":\"6x4\",\"unit\":\"/min\"}}")]
    [InlineData("{\"deviceId\":\"d\",\"kind\":\"HeartRate\",\"effectiveTime\":\"2026-11-25T08:30:00+01:00\",\"value\":{\"value\":\"64\"}}")]
    [InlineData("{\"deviceId\":\"d\",\"kind\":\"Pulse\",\"effectiveTime\":\"2026-11-25T08:30:00+01:00\"}")]
    public void Text_that_is_not_a_stored_reading_is_refused(string json)
    {
        Assert.Throws<JsonException>(() => ReadingJson.Deserialize(json));
    }
}
