using Vitals.Simulators.DeviceSimulator;

namespace Vitals.Gateway.Tests.Simulators;

public sealed class RssSeriesTests
{
    [Fact]
    public void The_spread_is_highest_minus_lowest_over_lowest_after_the_warmup()
    {
        RssSample[] samples = [new(10, 90), new(20, 150), new(30, 160), new(40, 165)];

        Assert.Equal(10.0, RssSeries.SpreadPercent(samples, TimeSpan.FromSeconds(20)));   // (165 - 150) / 150
        Assert.Equal(83.3, RssSeries.SpreadPercent(samples, TimeSpan.Zero));              // the start-up sample counts
    }

    [Fact]
    public void No_sample_after_the_warmup_gives_no_spread() =>
        Assert.Null(RssSeries.SpreadPercent([new RssSample(10, 100)], TimeSpan.FromSeconds(60)));
}
