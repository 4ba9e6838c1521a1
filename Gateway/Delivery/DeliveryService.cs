using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// Drains the outbox into the EHR through the <c>Ehr:Profile</c>'s <see cref="IEhrSender"/>. A reading leaves the
/// outbox only on a 2xx; a transient failure schedules its next attempt (backoff with jitter, Retry-After honoured and
/// pausing every sender); a permanent refusal becomes a dead letter with the server's answer.
/// <para>
/// Up to <c>Ehr:MaxConcurrency</c> requests are in flight, each carrying one reading or, for transactions, up to
/// <c>Ehr:Batch:MaxSize</c> readings (a Bundle that is not full waits up to <c>Ehr:Batch:Linger</c> for more).
/// Per-device order: a device's readings go out in effective-time order with at most one request of that device in
/// flight (the store hands out only the heads of device queues, <see cref="IOutbox.GetDueAsync"/>);
/// a dead-lettered reading frees its device at once, so a poison reading never blocks the readings behind it.
/// </para>
/// </summary>
public sealed class DeliveryService(
    IOutbox store,
    ReadingMapper mapper,
    IEhrSender sender,
    RetryPolicy retry,
    DeliveryTrigger trigger,
    GatewayMetrics metrics,
    TimeProvider time,
    IOptions<EhrOptions> options,
    ILogger<DeliveryService> logger,
    PreSendValidation preSend,
    EhrCompatibility compatibility) : BackgroundService
{
    /// <summary>How long the loop sleeps when nothing is due and nobody signals; bounds the delay for work another process (the CLI) queued.</summary>
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);

    private readonly HashSet<long> _inFlight = [];
    private readonly Lock _gate = new();

    // 1 while the EHR answers with retry-later outcomes, so the outage is logged when it starts and when it ends.
    private int _ehrFailing;

    // Ticks (UTC) until which nothing is sent: a Retry-After from the EHR (429, 503) is about the server, not one
    // reading, so every sender honours it instead of each finding out on its own (no thundering herd).
    private long _pausedUntilTicks;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var maxConcurrency = options.Value.MaxConcurrency;
        var batchSize = Math.Max(1, sender.MaxReadingsPerRequest);
        var linger = batchSize > 1 ? options.Value.Batch.Linger : TimeSpan.Zero;
        using var slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        var running = new List<Task>();
        DateTimeOffset? lingerSince = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                slots.Release();
                var pause = new DateTimeOffset(Interlocked.Read(ref _pausedUntilTicks), TimeSpan.Zero) - time.GetUtcNow();
                if (pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause, time, stoppingToken).ConfigureAwait(false);
                    continue;
                }
                HashSet<long> exclude;
                lock (_gate) exclude = [.. _inFlight];
                var free = slots.CurrentCount;
                var due = await store.GetDueAsync(time.GetUtcNow(), free * batchSize, exclude, headsOnly: batchSize == 1, stoppingToken)
                    .ConfigureAwait(false);
                if (due.Count == 0)
                {
                    lingerSince = null;
                    await trigger.WaitAsync(await IdleDelayAsync(stoppingToken).ConfigureAwait(false), stoppingToken).ConfigureAwait(false);
                    continue;
                }
                if (due.Count < batchSize && linger > TimeSpan.Zero)
                {
                    // Not a full Bundle yet: give the readings arriving now a moment to join it (each commit wakes the
                    // loop to look again), but never hold the first one longer than Linger.
                    lingerSince ??= time.GetUtcNow();
                    var left = lingerSince.Value + linger - time.GetUtcNow();
                    if (left > TimeSpan.Zero)
                    {
                        await trigger.WaitAsync(left, stoppingToken).ConfigureAwait(false);
                        continue;
                    }
                }
                lingerSince = null;
                foreach (var batch in FormBatches(due, batchSize, free))
                {
                    await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                    lock (_gate)
                    {
                        foreach (var entry in batch)
                            _inFlight.Add(entry.Id);
                    }
                    running.Add(DeliverAndReleaseAsync(batch, slots, stoppingToken));
                }
                running.RemoveAll(t => t.IsCompleted);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The store itself failed (disk, lock); nothing was lost, the entries stay in the outbox. Back off and go on.
                DeliveryLog.LoopFailed(logger, ex);
                await Task.Delay(IdlePoll, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
        await Task.WhenAll(running).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
    }

    /// <summary>
    /// Splits due entries (oldest first) into at most <paramref name="maxBatches"/> requests of at most
    /// <paramref name="batchSize"/> readings such that all of a device's entries are in one request, in order. An entry
    /// that does not fit waits for the next round, and so does every later entry of its device.
    /// </summary>
    private static List<List<OutboxEntry>> FormBatches(IReadOnlyList<OutboxEntry> due, int batchSize, int maxBatches)
    {
        var batches = new List<List<OutboxEntry>>();
        var batchOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var held = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in due)
        {
            var device = entry.Reading.DeviceId;
            if (held.Contains(device))
                continue;
            if (!batchOf.TryGetValue(device, out var b))
            {
                if (batches.Count > 0 && batches[^1].Count < batchSize)
                {
                    b = batches.Count - 1;
                }
                else if (batches.Count < maxBatches)
                {
                    batches.Add(new List<OutboxEntry>(Math.Min(batchSize, due.Count)));
                    b = batches.Count - 1;
                }
                else
                {
                    held.Add(device);
                    continue;
                }
                batchOf[device] = b;
            }
            if (batches[b].Count < batchSize)
                batches[b].Add(entry);
            else
                held.Add(device);
        }
        return batches;
    }

    private async Task<TimeSpan> IdleDelayAsync(CancellationToken ct)
    {
        var next = await store.GetNextDueAsync(ct).ConfigureAwait(false);
        if (next is null) return IdlePoll;
        var wait = next.Value - time.GetUtcNow();
        return wait <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : wait < IdlePoll ? wait : IdlePoll;
    }

    private async Task DeliverAndReleaseAsync(IReadOnlyList<OutboxEntry> batch, SemaphoreSlim slots, CancellationToken ct)
    {
        try
        {
            await DeliverAsync(batch, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: the entries stay in the outbox and are sent after the restart (conditional creates and the
            // single-post ledger make a resend of something the EHR already has harmless).
        }
        catch (Exception ex)
        {
            // The store failed while recording an outcome: the entries stay in the outbox and are sent again.
            DeliveryLog.LoopFailed(logger, ex);
        }
        finally
        {
            lock (_gate)
            {
                foreach (var entry in batch)
                    _inFlight.Remove(entry.Id);
            }
            slots.Release();
        }
    }

    private async Task DeliverAsync(IReadOnlyList<OutboxEntry> batch, CancellationToken ct)
    {
        var outgoing = new List<OutgoingReading>(batch.Count);
        foreach (var entry in batch)
        {
            try
            {
                var mapped = mapper.Map(entry.Reading, entry.Patient);
                // Checked per reading before it joins a request: an invalid one is a dead letter with the validator's
                // findings and never costs the EHR a round trip (nor, in a transaction, its neighbours' delivery).
                if (await preSend.DeadLetterIfInvalidAsync(entry, mapped, ct).ConfigureAwait(false))
                    continue;
                outgoing.Add(OutgoingReading.FromMapping(entry, mapped, compatibility));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A bug (mapping) must not take the gateway down or spin: retry later like a transient failure.
                DeliveryLog.DeliveryCrashed(logger, ex, entry.Id);
                await TryScheduleRetryAsync(entry, null, $"internal error: {ex.GetType().Name}").ConfigureAwait(false);
            }
        }
        if (outgoing.Count == 0)
            return;

        IReadOnlyList<DeliveryResult> results;
        try
        {
            results = await sender.SendAsync(outgoing, ct).ConfigureAwait(false);
            if (results.Count != outgoing.Count)
                throw new InvalidOperationException($"the sender answered {results.Count} results for {outgoing.Count} readings");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            foreach (var reading in outgoing)
            {
                DeliveryLog.DeliveryCrashed(logger, ex, reading.Entry.Id);
                await TryScheduleRetryAsync(reading.Entry, null, $"internal error: {ex.GetType().Name}").ConfigureAwait(false);
            }
            return;
        }

        // The acknowledged readings leave the outbox in one store transaction: one fsync per Bundle, not per reading.
        var delivered = new List<DeliveredEntry>(outgoing.Count);
        for (var i = 0; i < outgoing.Count; i++)
        {
            if (results[i] is DeliveryResult.Delivered d)
                delivered.Add(new DeliveredEntry(outgoing[i].Entry.Id, string.Join(' ', d.ServerIds)));
        }
        if (delivered.Count > 0)
        {
            await store.MarkDeliveredAsync(delivered, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            if (Interlocked.Exchange(ref _ehrFailing, 0) == 1) DeliveryLog.EhrAvailable(logger);
        }
        for (var i = 0; i < outgoing.Count; i++)
            await RecordAsync(outgoing[i].Entry, results[i], alreadyStored: true).ConfigureAwait(false);
    }

    /// <summary>What a reading's outcome means for the outbox, the metrics and the log.</summary>
    private async Task RecordAsync(OutboxEntry entry, DeliveryResult result, bool alreadyStored = false)
    {
        metrics.Answered(result);
        switch (result)
        {
            case DeliveryResult.Delivered d:
                if (!alreadyStored)
                {
                    await store.MarkDeliveredAsync(entry.Id, time.GetUtcNow(), string.Join(' ', d.ServerIds), CancellationToken.None).ConfigureAwait(false);
                    if (Interlocked.Exchange(ref _ehrFailing, 0) == 1) DeliveryLog.EhrAvailable(logger);
                }
                metrics.Delivered(time.GetUtcNow() - entry.EnqueuedAt);
                DeliveryLog.Delivered(logger, entry.Id, entry.Reading.DeviceId, d.ServerIds.Count);
                break;
            case DeliveryResult.RetryLater r:
                if (Interlocked.Exchange(ref _ehrFailing, 1) == 0) DeliveryLog.EhrUnavailable(logger, r.Reason);
                if (r.RetryAfter is { } wait) PauseAll(time.GetUtcNow() + (wait < options.Value.Retry.MaxRetryAfter ? wait : options.Value.Retry.MaxRetryAfter));
                await TryScheduleRetryAsync(entry, r.RetryAfter, r.Reason).ConfigureAwait(false);
                break;
            case DeliveryResult.Rejected r:
                var response = DeadLetterText.Truncate(r.Response, out var cut);
                if (cut > 0)
                    DeliveryLog.DeadLetterTruncated(logger, entry.Id, cut, r.Response!.Length);
                await store.DeadLetterAsync(entry.Id, new DeadLetterReason(r.Reason, r.HttpStatus, r.Request, response), time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                metrics.DeadLettered();
                DeliveryLog.DeadLettered(logger, entry.Id, entry.Reading.DeviceId, r.HttpStatus, r.Reason);
                break;
        }
    }

    private void PauseAll(DateTimeOffset until)
    {
        long current;
        do
        {
            current = Interlocked.Read(ref _pausedUntilTicks);
            if (until.UtcTicks <= current) return;
        } while (Interlocked.CompareExchange(ref _pausedUntilTicks, until.UtcTicks, current) != current);
        DeliveryLog.Paused(logger, until);
    }

    private async Task TryScheduleRetryAsync(OutboxEntry entry, TimeSpan? retryAfter, string reason)
    {
        try
        {
            var now = time.GetUtcNow();
            var next = retry.NextAttempt(entry.Attempts + 1, retryAfter, now);
            await store.ScheduleRetryAsync(entry.Id, next, reason, CancellationToken.None).ConfigureAwait(false);
            metrics.Retried();
            DeliveryLog.RetryScheduled(logger, entry.Id, entry.Attempts + 1, next - now, reason);
        }
        catch (Exception ex)
        {
            // The store failed too: the entry stays due in the outbox and the loop picks it up again.
            DeliveryLog.LoopFailed(logger, ex);
        }
    }
}
