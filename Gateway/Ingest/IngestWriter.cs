using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Ingest;

/// <summary>
/// Group commit: drains whatever the sources have queued (up to <see cref="IngestOptions.MaxBatch"/>) and commits it
/// in one store transaction, then releases every waiting source to acknowledge. One fsync serves many publishers.
/// </summary>
public sealed class IngestWriter(
    IngestPipeline pipeline,
    IIngestCommit store,
    IOutboxSignal outbox,
    GatewayMetrics metrics,
    IOptions<IngestOptions> options,
    TimeProvider time,
    ILogger<IngestWriter> logger) : BackgroundService
{
    private readonly int _maxBatch = options.Value.MaxBatch;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = pipeline.Reader;
        var batch = new List<PendingCommit>(_maxBatch);
        var records = new List<IngestRecord>(_maxBatch);
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                batch.Clear();
                records.Clear();
                while (batch.Count < _maxBatch && reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                    records.Add(pending.Record);
                }
                await CommitAsync(batch, records, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Whatever is still queued was never committed, so it is never acknowledged: the publisher (or broker)
            // sends it again after the restart.
            pipeline.Complete();
            while (reader.TryRead(out var left)) left.Committed.TrySetCanceled(CancellationToken.None);
        }
    }

    private async Task CommitAsync(List<PendingCommit> batch, List<IngestRecord> records, CancellationToken ct)
    {
        IReadOnlyList<IngestOutcome> outcomes;
        var started = time.GetTimestamp();
        try
        {
            outcomes = await store.CommitAsync(records, ct).ConfigureAwait(false);
            metrics.Committed(batch.Count, time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping mid-commit: the transaction rolls back, so nothing of this batch is acknowledged (as with the
            // queued ones in ExecuteAsync); the sources waiting for it learn so instead of waiting for ever.
            foreach (var p in batch) p.Committed.TrySetCanceled(CancellationToken.None);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.Committed(batch.Count, time.GetElapsedTime(started));
            // Nothing of this batch is durable: fail every source so none acknowledges. MQTT redelivers them.
            IngestLog.CommitFailed(logger, ex, batch.Count);
            foreach (var p in batch) p.Committed.TrySetException(ex);
            return;
        }

        var queued = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var outcome = outcomes[i];
            var record = batch[i].Record;
            metrics.Ingested(outcome);
            switch (outcome)
            {
                case IngestOutcome.Queued:
                    queued++;
                    break;
                case IngestOutcome.Rejected when record is IngestRecord.Rejected rejected:
                    // Logged once, here, after it is kept; the full reason (it may quote a measured value) only at Debug.
                    IngestLog.Rejected(logger, rejected.Origin, rejected.Error.Where);
                    IngestLog.RejectedDetail(logger, rejected.Origin, rejected.Error.ToString());
                    break;
                case IngestOutcome.Quarantined when record is IngestRecord.Accepted accepted:
                    IngestLog.Quarantined(logger, accepted.Reading.DeviceId);
                    break;
            }
            batch[i].Committed.TrySetResult(outcome);
        }
        if (queued > 0) outbox.ReadingsQueued();
    }
}
