using Vitals.Devices.Gatt;

namespace Vitals.Devices.Tests.Gatt;

/// <summary><see cref="GattReadingEncoder"/> and the helpers the simulators format with, each read back by its parser.</summary>
public sealed class GattReadingEncoderTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly DateTimeOffset TakenAt = new(2026, 11, 25, 8, 30, 15, TimeSpan.FromHours(1));

    public static TheoryData<string> Readings() => ["temperature", "temperature-f", "blood-pressure", "weight-kg", "weight-g", "weight-lb", "heart-rate", "spo2", "respiration"];

    [Theory]
    [MemberData(nameof(Readings))]
    public void Every_encoded_reading_decodes_back_to_the_same_values(string name)
    {
        var reading = Make(name);
        Assert.True(GattReadingEncoder.TryEncode(reading, Berlin, out var uuid, out var value));

        var context = new DecodeContext(TakenAt.AddMinutes(1), Berlin, PlausibilityLimits.Default);
        Assert.True(GattReadingDecoder.TryDecode(reading.DeviceId, GattUuids.ToShort(uuid), value, context, out var decoded, out var error), error.ToString());

        Assert.Equal(reading.Kind, decoded.Kind);
        // Heart Rate Measurement carries no time stamp: the receipt time places it.
        Assert.Equal(name == "heart-rate" ? context.ReceivedAt : TakenAt, decoded.EffectiveTime);
        switch (name)
        {
            case "blood-pressure":
                Assert.Equal(reading.Systolic, decoded.Systolic);
                Assert.Equal(reading.Diastolic, decoded.Diastolic);
                Assert.Equal(reading.MeanArterial, decoded.MeanArterial);
                Assert.Equal(reading.Pulse, decoded.Pulse);
                break;
            case "weight-g":
                Assert.Equal(new Quantity(70.000m, Ucum.Kilogram), decoded.Value);
                break;
            default:
                Assert.Equal(reading.Value, decoded.Value);
                break;
        }
    }

    [Fact]
    public void The_characteristics_are_those_of_the_classic_profiles_and_ghs_for_respiration()
    {
        ushort[] expected = [GattUuids.TemperatureMeasurement, GattUuids.BloodPressureMeasurement, GattUuids.WeightMeasurement,
            GattUuids.HeartRateMeasurement, GattUuids.PlxSpotCheckMeasurement, GattUuids.LiveHealthObservations];
        string[] names = ["temperature", "blood-pressure", "weight-kg", "heart-rate", "spo2", "respiration"];
        Assert.Equal(expected, names.Select(n => GattReadingEncoder.TryEncode(Make(n), Berlin, out var uuid, out _) ? uuid : (ushort)0));
    }

    [Fact]
    public void A_weight_beyond_the_u16_steps_has_no_gatt_form()
    {
        Assert.False(GattReadingEncoder.TryEncode(Make("weight-kg") with { Value = new Quantity(400m, Ucum.Kilogram) }, Berlin, out _, out var value));
        Assert.Empty(value);
    }

    [Fact]
    public void Date_time_from_a_local_clock_round_trips()
    {
        var stamp = GattDateTime.FromLocal(new DateTime(2026, 3, 29, 1, 59, 59));
        Span<byte> buffer = stackalloc byte[GattDateTime.Length];
        Assert.True(stamp.TryFormat(buffer, out var written));
        Assert.Equal("EA07031D013B3B", Convert.ToHexString(buffer[..written]));
        Assert.True(GattDateTime.TryParse(buffer, out var parsed, out _));
        Assert.Equal(stamp, parsed);
        Assert.True(parsed.TryGetDateTime(out var local));
        Assert.Equal(new DateTime(2026, 3, 29, 1, 59, 59), local);
    }

    [Fact]
    public void Ghs_time_stamp_from_utc_round_trips_to_the_second()
    {
        var stamp = GhsTimeStamp.FromUtc(TakenAt.AddTicks(1234567));
        Span<byte> buffer = stackalloc byte[GhsTimeStamp.Length];
        Assert.True(stamp.TryFormat(buffer, out _));
        Assert.True(GhsTimeStamp.TryParse(buffer, out var parsed, out _));
        Assert.True(parsed.IsUtc);
        Assert.True(parsed.TryGetTime(out var wall, out var offset));
        Assert.Equal(TakenAt.UtcDateTime, DateTime.SpecifyKind(wall, DateTimeKind.Utc));
        Assert.Equal(TimeSpan.Zero, offset);
    }

    [Theory]
    [InlineData("70.000", Ucum.Kilogram, 14000, false)]
    [InlineData("70002", Ucum.Gram, 14000, false)]
    [InlineData("154.32", Ucum.Pound, 15432, true)]
    public void Weight_from_a_quantity_rounds_to_the_resolution(string value, string unit, int steps, bool imperial)
    {
        Assert.True(WeightMeasurement.TryFrom(new Quantity(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture), unit), null, out var m));
        Assert.Equal(steps, m.WeightRaw);
        Assert.Equal(imperial, m.Imperial);
    }

    [Fact]
    public void Uuid_forms()
    {
        Assert.Equal("2a1c", GattUuids.ToShort(GattUuids.TemperatureMeasurement));
        Assert.Equal("00002a1c-0000-1000-8000-00805f9b34fb", GattUuids.ToFull(GattUuids.TemperatureMeasurement));
        Assert.True(GattUuids.TryParseShort(GattUuids.ToShort(GattUuids.LiveHealthObservations), out var back));
        Assert.Equal(GattUuids.LiveHealthObservations, back);
    }

    private static Reading Make(string name)
    {
        var reading = new Reading { DeviceId = "enc-1", Kind = VitalKind.BodyTemperature, EffectiveTime = TakenAt };
        return name switch
        {
            "temperature" => reading with { Value = new Quantity(37.60m, Ucum.Celsius) },
            "temperature-f" => reading with { Value = new Quantity(98.6m, Ucum.Fahrenheit) },
            "blood-pressure" => reading with
            {
                Kind = VitalKind.BloodPressure,
                Systolic = new Quantity(128m, Ucum.MillimetreMercury),
                Diastolic = new Quantity(82m, Ucum.MillimetreMercury),
                MeanArterial = new Quantity(97m, Ucum.MillimetreMercury),
                Pulse = new Quantity(64m, Ucum.PerMinute),
            },
            "weight-kg" => reading with { Kind = VitalKind.BodyWeight, Value = new Quantity(70.000m, Ucum.Kilogram) },
            "weight-g" => reading with { Kind = VitalKind.BodyWeight, Value = new Quantity(70000m, Ucum.Gram) },
            "weight-lb" => reading with { Kind = VitalKind.BodyWeight, Value = new Quantity(154.32m, Ucum.Pound) },
            "heart-rate" => reading with { Kind = VitalKind.HeartRate, Value = new Quantity(72m, Ucum.PerMinute) },
            "spo2" => reading with { Kind = VitalKind.OxygenSaturation, Value = new Quantity(97m, Ucum.Percent), Pulse = new Quantity(68m, Ucum.PerMinute) },
            "respiration" => reading with { Kind = VitalKind.RespiratoryRate, Value = new Quantity(16m, Ucum.PerMinute) },
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };
    }
}
