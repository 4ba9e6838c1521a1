using Vitals.Gateway.Ingest.Ble.Session;

namespace Vitals.Gateway.Tests.Ingest.Ble.Session;

public sealed class ConnectionClockTests
{
    private static readonly DateTimeOffset Written = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Values_received_before_the_clock_was_set_keep_the_old_offset()
    {
        var clock = new ConnectionClock();
        clock.Set(DateTimeOffset.MinValue, TimeSpan.FromHours(-1));
        clock.Set(Written, TimeSpan.Zero);

        Assert.Equal(TimeSpan.FromHours(-1), clock.OffsetAt(Written.AddSeconds(-1)));
        Assert.Equal(TimeSpan.Zero, clock.OffsetAt(Written));
        Assert.Equal(TimeSpan.Zero, clock.OffsetAt(Written.AddMinutes(5)));
    }

    [Fact]
    public void A_device_without_Current_Time_has_no_offset()
    {
        Assert.Equal(TimeSpan.Zero, new ConnectionClock().OffsetAt(Written));
    }
}
