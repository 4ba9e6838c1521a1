using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Tests.Delivery;

/// <summary>
/// Flow control in the delivery loop against an in-memory FHIR server: throttling pauses and counts no attempt,
/// timeouts make Bundles smaller, a size refusal splits them; in every case the EHR ends up holding each reading once.
/// </summary>
public sealed class DeliveryFlowTests
{
    private const string TooManyEntries =
        """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","details":{"text":"Transaction requires strict isolation but has too many entries"}}]}""";

    [Fact]
    public async Task Every_4th_write_throttled_with_Retry_After_pauses_sending_counts_no_attempt_and_delivers_everything_once()
    {
        await using var rig = new LoopRig();
        var writes = 0;
        var throttled = 0;
        rig.Fault = r =>
        {
            if (r.Method != "POST" || Interlocked.Increment(ref writes) % 4 != 0)
                return null;
            Interlocked.Increment(ref throttled);
            return ScriptedResponse.WithRetryAfter(429, "1");
        };

        await rig.StartAsync(devices: 4, perDevice: 15, o => o.Batch.MaxSize = 4);
        var status = await rig.WaitUntilAsync(s => s.Pending == 0);

        Assert.Equal((60, 0), (status.Delivered, status.DeadLetters));
        rig.AssertEhrHolds(60);
        Assert.True(throttled >= 2, $"only {throttled} writes were throttled");
        // No attempt of any reading was counted: throttling is the server's, not the readings'.
        Assert.DoesNotContain(rig.Log.Entries, e => e.EventId.Id == 3101);
        Assert.Contains(rig.Log.Entries, e => e.EventId.Id == 3107);
        Assert.Contains(rig.Log.Entries, e => e.EventId.Id == 3108 && e.Message.Contains("429", StringComparison.Ordinal));
        Assert.Contains(rig.Log.Entries, e => e.EventId.Id == 3130);
        Assert.True(rig.Service.Flow.Concurrency < 4 || rig.Log.Entries.Any(e => e.EventId.Id == 3131), "the 429s took requests in flight away");
    }

    [Fact]
    public async Task Bundles_that_time_out_are_sent_again_smaller_and_everything_is_delivered_once()
    {
        await using var rig = new LoopRig();
        // Slower than Ehr:Timeout for more than 4 readings; the server still files them (the answer is lost).
        rig.Fault = r => LoopRig.ObservationsIn(r) > 4 ? rig.Fhir.Commit(r) with { Delay = TimeSpan.FromSeconds(2) } : null;

        await rig.StartAsync(devices: 3, perDevice: 12, o =>
        {
            o.Timeout = TimeSpan.FromMilliseconds(600);
            o.MaxConcurrency = 2;
        });
        var status = await rig.WaitUntilAsync(s => s.Pending == 0, seconds: 60);

        Assert.Equal((36, 0), (status.Delivered, status.DeadLetters));
        rig.AssertEhrHolds(36);
        Assert.Contains(rig.Server.Requests, r => LoopRig.ObservationsIn(r) is > 0 and <= 4);
        Assert.Contains(rig.Log.Entries, e => e.EventId.Id == 3130 && e.Message.Contains("time out", StringComparison.Ordinal));
        Assert.DoesNotContain(rig.Log.Entries, e => e.Level >= LogLevel.Error);
    }

    [Theory]
    [InlineData(413)]
    [InlineData(400)]
    public async Task A_Bundle_refused_for_its_size_is_split_and_the_size_remembered_never_dead_lettered(int status)
    {
        await using var rig = new LoopRig();
        rig.Fault = r => LoopRig.EntriesIn(r) > 8
            ? status == 413 ? new ScriptedResponse(413) : ScriptedResponse.Json(400, TooManyEntries)
            : null;

        await rig.StartAsync(devices: 3, perDevice: 10);
        var outbox = await rig.WaitUntilAsync(s => s.Pending == 0);

        Assert.Equal((30, 0), (outbox.Delivered, outbox.DeadLetters));
        rig.AssertEhrHolds(30);
        Assert.True(rig.Service.Flow.BatchCeiling <= 5, $"ceiling {rig.Service.Flow.BatchCeiling}");
        Assert.Contains(rig.Log.Entries, e => e.EventId.Id == 3132 && e.Level == LogLevel.Warning);
        // Remembered: once the ceiling is known, later Bundles are not refused again and again.
        var refused = rig.Server.Requests.Count(r => LoopRig.EntriesIn(r) > 8);
        Assert.True(refused <= 6, $"{refused} Bundles refused for their size");
        Assert.DoesNotContain(rig.Log.Entries, e => e.EventId.Id == 3101);
    }
}
