namespace Vitals.Gateway.Tests;

public sealed class ExponentialBackoffTests
{
    [Fact]
    public void The_ceiling_doubles_up_to_the_maximum()
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), jitter: () => 1.0);

        Assert.Equal([1, 2, 4, 8, 10, 10], Enumerable.Range(0, 6).Select(a => backoff.Delay(a).TotalSeconds));
    }

    [Fact]
    public void Full_jitter_scales_the_ceiling_by_the_random_draw()
    {
        var draws = new Queue<double>([0.0, 0.5, 0.25]);
        var backoff = new ExponentialBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1), jitter: draws.Dequeue);

        Assert.Equal(TimeSpan.Zero, backoff.Delay(0));
        Assert.Equal(TimeSpan.FromSeconds(2), backoff.Delay(1));
        Assert.Equal(TimeSpan.FromSeconds(2), backoff.Delay(2));
    }

    [Fact]
    public void Attempt_zero_is_the_base_delay()
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), jitter: () => 1.0);

        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Delay(0));
    }

    [Fact]
    public void Many_attempts_never_overflow()
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), jitter: () => 1.0);

        Assert.Equal(TimeSpan.FromMinutes(5), backoff.Delay(200));
        Assert.Equal(TimeSpan.FromMinutes(5), backoff.Delay(int.MaxValue));
    }
}
