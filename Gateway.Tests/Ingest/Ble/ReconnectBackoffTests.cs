using Vitals.Gateway.Ingest.Ble;

namespace Vitals.Gateway.Tests.Ingest.Ble;

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void The_ceiling_doubles_up_to_the_maximum()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), () => 1.0);

        Assert.Equal([1, 2, 4, 8, 10, 10], Enumerable.Range(0, 6).Select(_ => backoff.Next().TotalSeconds));
    }

    [Fact]
    public void Full_jitter_scales_the_ceiling_by_the_random_draw()
    {
        var draws = new Queue<double>([0.0, 0.5, 0.25]);
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1), draws.Dequeue);

        Assert.Equal(TimeSpan.Zero, backoff.Next());
        Assert.Equal(TimeSpan.FromSeconds(2), backoff.Next());
        Assert.Equal(TimeSpan.FromSeconds(2), backoff.Next());
    }

    [Fact]
    public void Reset_starts_again_from_the_base_delay()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), () => 1.0);
        for (var i = 0; i < 5; i++) backoff.Next();

        backoff.Reset();

        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Next());
    }

    [Fact]
    public void Many_attempts_never_overflow()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), () => 1.0);
        for (var i = 0; i < 200; i++) backoff.Next();

        Assert.Equal(TimeSpan.FromMinutes(5), backoff.Next());
    }
}
