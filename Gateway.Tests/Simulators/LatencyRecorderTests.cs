using Vitals.Simulators.DeviceSimulator;

namespace Vitals.Gateway.Tests.Simulators;

public sealed class LatencyRecorderTests
{
    [Fact]
    public void Percentiles_AreNearestRank()
    {
        var recorder = new LatencyRecorder();
        foreach (var ms in Enumerable.Range(1, 200).Reverse())
        {
            recorder.Record(TimeSpan.FromMilliseconds(ms));
        }

        var summary = recorder.Summarise();

        Assert.Equal(new LatencySummary(200, 100, 190, 198, 200), summary);
    }

    [Fact]
    public void NoSamples_GiveZeros()
    {
        Assert.Equal(new LatencySummary(0, 0, 0, 0, 0), new LatencyRecorder().Summarise());
    }

    [Fact]
    public void A_window_from_a_sample_on_summarises_only_the_later_samples()
    {
        var recorder = new LatencyRecorder();
        foreach (var ms in Enumerable.Range(1, 100)) recorder.Record(TimeSpan.FromMilliseconds(ms < 90 ? 1 : 1000));

        Assert.Equal(new LatencySummary(11, 1000, 1000, 1000, 1000), recorder.Summarise(89));
        Assert.Equal(new LatencySummary(0, 0, 0, 0, 0), recorder.Summarise(100));
        Assert.Equal(100, recorder.Summarise(-5).Samples);
    }
}
