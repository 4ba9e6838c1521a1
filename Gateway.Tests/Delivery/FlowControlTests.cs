using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Delivery;

/// <summary>Additive increase, multiplicative decrease of requests in flight and Bundle size, on a fake clock.</summary>
public sealed class FlowControlTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly RecordingLogger<FlowControl> _log = new();

    private FlowControl Create(int concurrency = 8, int batch = 50) => new(concurrency, batch, Timeout, _time, _log);

    private void AnswerQuickly(FlowControl flow, int requests, int readings = 50)
    {
        for (var i = 0; i < requests; i++)
        {
            var started = flow.RequestStarted();
            _time.Advance(TimeSpan.FromMilliseconds(100));
            flow.Answered(started, readings);
        }
    }

    [Fact]
    public void Starts_at_the_configured_limits()
    {
        var flow = Create();
        Assert.Equal((8, 50, 50), (flow.Concurrency, flow.BatchSize, flow.BatchCeiling));
    }

    [Fact]
    public void A_429_halves_the_requests_in_flight_once_per_round_and_quick_answers_add_one_back_per_round()
    {
        var flow = Create();
        // Four requests in flight meet the same overload: one decrease, not four.
        var started = Enumerable.Range(0, 4).Select(_ => flow.RequestStarted()).ToList();
        _time.Advance(TimeSpan.FromMilliseconds(50));
        foreach (var s in started)
            flow.Throttled(s);
        Assert.Equal(4, flow.Concurrency);
        Assert.Equal(50, flow.BatchSize);

        // A request started after the decrease, throttled again: halves again.
        flow.Throttled(flow.RequestStarted());
        Assert.Equal(2, flow.Concurrency);

        // Additive increase: a window's worth of answers in time (as many as requests in flight) adds one.
        AnswerQuickly(flow, 2);
        Assert.Equal(3, flow.Concurrency);
        AnswerQuickly(flow, 3);
        Assert.Equal(4, flow.Concurrency);
        AnswerQuickly(flow, 100);
        Assert.Equal(8, flow.Concurrency);
        Assert.Contains(_log.Entries, e => e.EventId.Id == 3130 && e.Level == LogLevel.Information);
        Assert.Contains(_log.Entries, e => e.EventId.Id == 3131);
    }

    [Fact]
    public void A_timeout_halves_the_Bundle_below_the_request_that_timed_out_and_it_grows_back_to_the_limit()
    {
        var flow = Create(concurrency: 4, batch: 50);
        var started = flow.RequestStarted();
        _time.Advance(Timeout);
        flow.TimedOut(started, readings: 40);
        Assert.Equal((2, 20), (flow.Concurrency, flow.BatchSize));

        var again = flow.RequestStarted();
        _time.Advance(Timeout);
        flow.TimedOut(again, readings: 20);
        Assert.Equal((1, 10), (flow.Concurrency, flow.BatchSize));

        AnswerQuickly(flow, 200, readings: 10);
        Assert.Equal((4, 50), (flow.Concurrency, flow.BatchSize));
        Assert.Equal(10, flow.SmallestBatchSize);
    }

    [Fact]
    public void Slow_answers_stop_the_growth_and_shrink_the_Bundle_before_it_times_out()
    {
        var flow = Create(concurrency: 2, batch: 40);
        var started = flow.RequestStarted();
        _time.Advance(TimeSpan.FromSeconds(1.5));
        flow.Answered(started, 40);
        Assert.Equal(30, flow.BatchSize);
        Assert.Equal(2, flow.Concurrency);
        Assert.Single(_log.Entries, e => e.EventId.Id == 3130);
    }

    [Fact]
    public void A_size_refusal_sets_a_ceiling_that_growth_never_passes()
    {
        var flow = Create(concurrency: 2, batch: 50);
        flow.TooLarge(50);
        Assert.Equal((25, 25), (flow.BatchSize, flow.BatchCeiling));
        flow.TooLarge(25);
        Assert.Equal((12, 12), (flow.BatchSize, flow.BatchCeiling));
        Assert.Equal(2, _log.Entries.Count(e => e.EventId.Id == 3132 && e.Level == LogLevel.Warning));

        AnswerQuickly(flow, 100, readings: 12);
        Assert.Equal((12, 12), (flow.BatchSize, flow.BatchCeiling));

        // A timeout below the ceiling, then growth back up to the ceiling only.
        var started = flow.RequestStarted();
        _time.Advance(Timeout);
        flow.TimedOut(started, 12);
        Assert.Equal(6, flow.BatchSize);
        AnswerQuickly(flow, 100, readings: 6);
        Assert.Equal(12, flow.BatchSize);
    }

    [Fact]
    public void Never_below_one()
    {
        var flow = Create(concurrency: 1, batch: 1);
        var started = flow.RequestStarted();
        _time.Advance(Timeout);
        flow.TimedOut(started, 1);
        flow.TooLarge(1);
        Assert.Equal((1, 1, 1), (flow.Concurrency, flow.BatchSize, flow.BatchCeiling));
    }
}
