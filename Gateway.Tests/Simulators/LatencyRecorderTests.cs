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
}
