using Vitals.Devices;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Tests.Storage;

/// <summary>The fields the GATT decoders added to Reading (user id, BMI, height) survive the store's JSON exactly.</summary>
public sealed class ReadingJsonGattFieldsTests
{
    [Fact]
    public void User_id_bmi_and_height_round_trip_with_their_scale()
    {
        var reading = new Reading
        {
            DeviceId = "AA:BB:CC:DD:EE:01",
            Kind = VitalKind.BodyWeight,
            EffectiveTime = new DateTimeOffset(2026, 11, 25, 8, 30, 0, TimeSpan.FromHours(1)),
            TimeQuality = TimeQuality.AssumedLocalZone,
            DeviceTime = "2026-11-25T08:30:00",
            Value = new Quantity(70.000m, Ucum.Kilogram),
            UserId = 2,
            Bmi = new Quantity(22.9m, Ucum.KilogramPerSquareMetre),
            Height = new Quantity(175.0m, Ucum.Centimetre),
        };

        var back = ReadingJson.Deserialize(ReadingJson.Serialize(reading));

        Assert.Equal(reading, back);
        Assert.Equal("175.0", back.Height!.Value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("70.000", back.Value!.Value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Readings_without_them_do_not_write_them()
    {
        var json = ReadingJson.Serialize(Some.ThermometerReading());
        Assert.DoesNotContain("userId", json, StringComparison.Ordinal);
        Assert.DoesNotContain("bmi", json, StringComparison.Ordinal);
        Assert.DoesNotContain("height", json, StringComparison.Ordinal);
    }
}
