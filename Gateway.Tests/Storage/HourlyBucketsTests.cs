using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Tests.Storage;

public sealed class HourlyBucketsTests
{
    private static readonly DateTimeOffset From = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Counts_fall_into_their_hour_and_outside_the_range_are_ignored()
    {
        var buckets = new HourlyBuckets(From, 2);
        buckets.Received(From.AddMinutes(-1));
        buckets.Received(From);
        buckets.Received(From.AddMinutes(59.99));
        buckets.Received(From.AddHours(1));
        buckets.Received(From.AddHours(2));
        buckets.Rejected(From.AddMinutes(70));
        buckets.Delivered(From.AddHours(-1), From.AddMinutes(5));

        var result = buckets.Result();

        Assert.Equal([From, From.AddHours(1)], result.Select(h => h.Hour));
        Assert.Equal([2L, 1L], result.Select(h => h.Received));
        Assert.Equal([0L, 1L], result.Select(h => h.Rejected));
        Assert.Equal([1L, 0L], result.Select(h => h.Delivered));
        Assert.Equal(TimeSpan.FromMinutes(65), result[0].LatencyP99);
        Assert.Null(result[1].LatencyP50);
    }

    [Fact]
    public void Percentiles_are_nearest_rank()
    {
        var buckets = new HourlyBuckets(From, 1);
        // 1 s .. 100 s, delivered in the first hour, in no particular order.
        foreach (var seconds in Enumerable.Range(1, 100).Reverse())
            buckets.Delivered(From.AddMinutes(30).AddSeconds(-seconds), From.AddMinutes(30));

        var hour = Assert.Single(buckets.Result());

        Assert.Equal((50, 95, 99), ((int)hour.LatencyP50!.Value.TotalSeconds, (int)hour.LatencyP95!.Value.TotalSeconds, (int)hour.LatencyP99!.Value.TotalSeconds));
    }
}
