using Vitals.Devices;

namespace Vitals.Gateway.Tests.Devices;

public sealed class ReadingIdentityUserTests
{
    [Fact]
    public void The_user_id_is_part_of_the_key_only_when_present()
    {
        var reading = Some.CuffReading();
        Assert.Equal("00:1C:05:00:78:25|blood-pressure|2026-11-25T08:30:00+01:00|17", ReadingIdentity.Key(reading));
        Assert.Equal("00:1C:05:00:78:25|blood-pressure|2026-11-25T08:30:00+01:00|17|user:3", ReadingIdentity.Key(reading with { UserId = 3 }));
        Assert.NotEqual(ReadingIdentity.Key(reading with { UserId = 1 }), ReadingIdentity.Key(reading with { UserId = 2 }));
    }
}
