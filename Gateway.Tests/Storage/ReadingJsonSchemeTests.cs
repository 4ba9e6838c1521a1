using Vitals.Devices;
using Vitals.Devices.Gatt;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Tests.Storage;

/// <summary>The fields identity scheme 2 added to the stored reading JSON (additive: older rows stay readable).</summary>
public sealed class ReadingJsonSchemeTests
{
    [Fact]
    public void The_new_fields_round_trip_and_the_scheme_is_always_written()
    {
        var reading = Some.OximeterReading() with
        {
            MdcType = 149530,
            ClockCorrection = TimeSpan.FromSeconds(-421.5),
            SensorStatus = PlxDeviceSensorStatus.SensorDisplaced | PlxDeviceSensorStatus.LowPerfusion,
            Status = MeasurementStatus.SensorProblem | MeasurementStatus.MeasurementOngoing,
        };

        var json = ReadingJson.Serialize(reading);

        Assert.Equal(reading, ReadingJson.Deserialize(json));
        Assert.Contains("\"identityScheme\":2", json, StringComparison.Ordinal);
        Assert.Contains("\"sensorStatus\":\"LowPerfusion, SensorDisplaced\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reading_stored_without_a_scheme_is_scheme_1_and_keeps_its_old_key()
    {
        var stored = ReadingJson.Serialize(Some.CuffReading()).Replace(",\"identityScheme\":2", "", StringComparison.Ordinal);

        var back = ReadingJson.Deserialize(stored);

        Assert.Equal(1, back.IdentityScheme);
        Assert.Equal("00:1C:05:00:78:25|blood-pressure|2026-11-25T08:30:00+01:00|17", ReadingIdentity.Key(back));
    }

    [Fact]
    public void A_site_text_that_spells_the_property_name_does_not_fool_the_scheme_check()
    {
        var reading = Some.ThermometerReading() with { Site = "\"identityScheme\":2", IdentityScheme = 1 };
        var stored = ReadingJson.Serialize(reading).Replace(",\"identityScheme\":1", "", StringComparison.Ordinal);

        Assert.Equal(1, ReadingJson.Deserialize(stored).IdentityScheme);
    }
}
