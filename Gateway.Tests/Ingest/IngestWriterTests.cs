using System.Text;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Ingest;

/// <summary>
/// The group commit's promise to the sources: every queued message's task ends (committed, failed or cancelled), so a
/// source that waits for it to acknowledge never waits for ever, not even when the gateway stops mid-commit.
/// </summary>
public sealed class IngestWriterTests
{
    private readonly IngestPipeline _pipeline;
    private readonly HeldCommit _store = new();
    private readonly IngestWriter _writer;

    public IngestWriterTests()
    {
        var options = Options.Create(new IngestOptions { TimeZone = "UTC", MaxBatch = 1 });
        _pipeline = new IngestPipeline(new MessageDecoder(options), options);
        _writer = new IngestWriter(_pipeline, _store, new NoOutbox(), new GatewayMetrics(), options, TimeProvider.System,
            new RecordingLogger<IngestWriter>());
    }

    private async Task<Task<IngestOutcome>> QueueAsync(int id) => await _pipeline.QueueAsync(
        Some.MqttMessage("vitals/resp-1/respiratory-rate", Encoding.UTF8.GetBytes($$"""{"value": 16, "time": "2026-11-25T08:30:00Z", "id": {{id}}}"""),
            DateTimeOffset.UtcNow),
        CancellationToken.None);

    [Fact]
    public async Task A_commit_under_way_when_the_writer_stops_is_cancelled_and_so_is_what_waited_behind_it()
    {
        await _writer.StartAsync(CancellationToken.None);
        var committing = await QueueAsync(1);
        await _store.Started.Task.WaitAsync(TimeSpan.FromSeconds(5));
        var waiting = await QueueAsync(2);

        await _writer.StopAsync(CancellationToken.None);

        // Not acknowledged, so the publisher (or broker) sends both again after the restart.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => committing.WaitAsync(TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAnyAsync<InvalidOperationException>(async () => await QueueAsync(3));
    }

    [Fact]
    public async Task A_commit_that_finishes_gives_each_message_its_outcome()
    {
        _store.Release.SetResult();
        await _writer.StartAsync(CancellationToken.None);

        var committed = await QueueAsync(1);

        Assert.Equal(IngestOutcome.Queued, await committed.WaitAsync(TimeSpan.FromSeconds(5)));
        await _writer.StopAsync(CancellationToken.None);
    }

    /// <summary>A store whose commits wait for the test (or for the writer's cancellation).</summary>
    private sealed class HeldCommit : IIngestCommit
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<IReadOnlyList<IngestOutcome>> CommitAsync(IReadOnlyList<IngestRecord> batch, CancellationToken ct)
        {
            Started.TrySetResult();
            await Release.Task.WaitAsync(ct);
            return batch.Select(_ => IngestOutcome.Queued).ToArray();
        }
    }

    private sealed class NoOutbox : IOutboxSignal
    {
        public void ReadingsQueued()
        {
        }
    }
}
