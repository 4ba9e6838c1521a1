using Vitals.Devices;

namespace Vitals.Devices.Tests;

public sealed class ReadingIdentityUserTests
{
    [Fact]
    public void The_user_id_is_part_of_the_key_only_when_present()
    {
        // Only what the identity is built from: device, kind, the device's time and its measurement id.
        var reading = new Reading { DeviceId = "00:1C:05:00:78:25", Kind = VitalKind.BloodPressure, MeasurementId = "17",
            EffectiveTime = new DateTimeOffset(2026, 11, 25, 8, 30, 0, TimeSpan.FromHours(1)), DeviceTime = "2026-11-25T08:30:00+01:00" };
        Assert.Equal("00:1C:05:00:78:25|blood-pressure|2026-11-25T08:30:00+01:00|17", ReadingIdentity.Key(reading));
        Assert.Equal("00:1C:05:00:78:25|blood-pressure|2026-11-25T08:30:00+01:00|17|user:3", ReadingIdentity.Key(reading with { UserId = 3 }));
        Assert.NotEqual(ReadingIdentity.Key(reading with { UserId = 1 }), ReadingIdentity.Key(reading with { UserId = 2 }));
    }
}
