using Microsoft.Extensions.Time.Testing;
using Vitals.Gateway.Delivery;

namespace Vitals.Gateway.Tests.Delivery;

public sealed class RetryPolicyTests
{
    private static RetryPolicy Policy(double jitter, EhrRetryOptions? options = null) =>
        new(options ?? new EhrRetryOptions(), () => jitter);

    [Fact]
    public void With_the_largest_jitter_the_delay_doubles_from_the_base_up_to_the_cap()
    {
        var policy = Policy(1.0);

        var schedule = Enumerable.Range(1, 9).Select(n => policy.Delay(n, null).TotalSeconds);

        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60, 60], schedule);
    }

    [Fact]
    public void Full_jitter_scales_the_exponential_ceiling()
    {
        var policy = Policy(0.25, new EhrRetryOptions
        {
            BaseDelay = TimeSpan.FromSeconds(2), Factor = 3.0, MaxDelay = TimeSpan.FromSeconds(100),
        });

        var schedule = Enumerable.Range(1, 5).Select(n => policy.Delay(n, null).TotalSeconds);

        // ceilings 2, 6, 18, 54, 100 (capped)
        Assert.Equal([0.5, 1.5, 4.5, 13.5, 25], schedule);
        Assert.Equal(TimeSpan.Zero, Policy(0.0).Delay(5, null));
    }

    [Fact]
    public void Delays_stay_between_zero_and_the_cap_for_any_attempt_count()
    {
        var random = new Random(20261125);
        var options = new EhrRetryOptions();
        var policy = new RetryPolicy(options, random.NextDouble);

        foreach (var attempts in Enumerable.Range(1, 200).Concat([1_000, 1_000_000, int.MaxValue]))
        {
            var delay = policy.Delay(attempts, null);
            Assert.InRange(delay, TimeSpan.Zero, options.MaxDelay);
        }
    }

    [Fact]
    public void A_later_Retry_After_wins_even_above_the_cap()
    {
        var policy = Policy(1.0);

        Assert.Equal(TimeSpan.FromSeconds(120), policy.Delay(1, TimeSpan.FromSeconds(120)));
        Assert.Equal(TimeSpan.FromSeconds(60), policy.Delay(10, TimeSpan.FromSeconds(5)));
        Assert.Equal(TimeSpan.FromSeconds(4), policy.Delay(3, TimeSpan.Zero));
    }

    [Fact]
    public void An_absurd_Retry_After_is_cut_to_MaxRetryAfter()
    {
        var policy = Policy(0.5);

        Assert.Equal(TimeSpan.FromHours(1), policy.Delay(1, TimeSpan.FromDays(7)));
        Assert.Equal(TimeSpan.FromMinutes(5),
            Policy(0.5, new EhrRetryOptions { MaxRetryAfter = TimeSpan.FromMinutes(5) }).Delay(1, TimeSpan.FromDays(7)));
    }

    [Fact]
    public void A_negative_Retry_After_does_not_shorten_the_delay()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), Policy(1.0).Delay(2, TimeSpan.FromSeconds(-30)));
    }

    [Fact]
    public void The_next_attempt_is_the_delay_after_the_given_time()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 7, 30, 0, TimeSpan.Zero));
        var policy = Policy(0.5);

        Assert.Equal(time.GetUtcNow().AddSeconds(4), policy.NextAttempt(4, null, time.GetUtcNow()));
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(time.GetUtcNow().AddSeconds(90), policy.NextAttempt(1, TimeSpan.FromSeconds(90), time.GetUtcNow()));
    }

    [Fact]
    public void Misuse_is_an_exception()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Policy(0.5).Delay(0, null));
        Assert.Throws<InvalidOperationException>(() => Policy(1.5).Delay(1, null));
        Assert.Throws<InvalidOperationException>(() => Policy(double.NaN).Delay(1, null));
    }
}
