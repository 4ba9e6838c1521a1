using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// Drains the outbox into the EHR. A reading leaves the outbox only on a 2xx; a transient failure schedules its next
/// attempt (backoff with jitter, Retry-After honoured); a permanent refusal becomes a dead letter with the server's
/// answer. Up to Ehr:MaxConcurrency readings are in flight; a slow or failing one never holds up the others.
/// </summary>
public sealed class DeliveryService(
    IGatewayStore store,
    ReadingMapper mapper,
    FhirSender sender,
    RetryPolicy retry,
    DeliveryTrigger trigger,
    GatewayMetrics metrics,
    TimeProvider time,
    IOptions<EhrOptions> options,
    ILogger<DeliveryService> logger,
    PreSendValidation preSend) : BackgroundService
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
        using var slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        var running = new List<Task>();
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
                IReadOnlyList<OutboxEntry> due;
                HashSet<long> exclude;
                lock (_gate) exclude = [.. _inFlight];
                due = await store.GetDueAsync(time.GetUtcNow(), slots.CurrentCount, exclude, stoppingToken).ConfigureAwait(false);
                if (due.Count == 0)
                {
                    await trigger.WaitAsync(await IdleDelayAsync(stoppingToken).ConfigureAwait(false), stoppingToken).ConfigureAwait(false);
                    continue;
                }
                foreach (var entry in due)
                {
                    await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                    lock (_gate) _inFlight.Add(entry.Id);
                    running.Add(DeliverAndReleaseAsync(entry, slots, stoppingToken));
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

    private async Task<TimeSpan> IdleDelayAsync(CancellationToken ct)
    {
        var next = await store.GetNextDueAsync(ct).ConfigureAwait(false);
        if (next is null) return IdlePoll;
        var wait = next.Value - time.GetUtcNow();
        return wait <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : wait < IdlePoll ? wait : IdlePoll;
    }

    private async Task DeliverAndReleaseAsync(OutboxEntry entry, SemaphoreSlim slots, CancellationToken ct)
    {
        try
        {
            await DeliverAsync(entry, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: the entry stays in the outbox and is sent after the restart (conditional create makes a
            // resend of something the EHR already has harmless).
        }
        catch (Exception ex)
        {
            // A bug (mapping, serialisation) must not take the gateway down or spin: retry later like a transient failure.
            DeliveryLog.DeliveryCrashed(logger, ex, entry.Id);
            await TryScheduleRetryAsync(entry, null, $"internal error: {ex.GetType().Name}").ConfigureAwait(false);
        }
        finally
        {
            lock (_gate) _inFlight.Remove(entry.Id);
            slots.Release();
        }
    }

    private async Task DeliverAsync(OutboxEntry entry, CancellationToken ct)
    {
        var mapped = mapper.Map(entry.Reading, entry.Patient);
        if (await preSend.DeadLetterIfInvalidAsync(entry, mapped, ct).ConfigureAwait(false))
            return;
        var result = await sender.SendAsync(mapped, ct).ConfigureAwait(false);
        switch (result)
        {
            case DeliveryResult.Delivered d:
                await store.MarkDeliveredAsync(entry.Id, time.GetUtcNow(), string.Join(' ', d.ServerIds), CancellationToken.None).ConfigureAwait(false);
                metrics.Delivered();
                DeliveryLog.Delivered(logger, entry.Id, entry.Reading.DeviceId, d.ServerIds.Count);
                if (Interlocked.Exchange(ref _ehrFailing, 0) == 1) DeliveryLog.EhrAvailable(logger);
                break;
            case DeliveryResult.RetryLater r:
                if (Interlocked.Exchange(ref _ehrFailing, 1) == 0) DeliveryLog.EhrUnavailable(logger, r.Reason);
                if (r.RetryAfter is { } wait) PauseAll(time.GetUtcNow() + (wait < options.Value.Retry.MaxRetryAfter ? wait : options.Value.Retry.MaxRetryAfter));
                await TryScheduleRetryAsync(entry, r.RetryAfter, r.Reason).ConfigureAwait(false);
                break;
            case DeliveryResult.Rejected r:
                await store.DeadLetterAsync(entry.Id, new DeadLetterReason(r.Reason, r.HttpStatus, r.Request, r.Response), time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
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
        var now = time.GetUtcNow();
        var next = retry.NextAttempt(entry.Attempts + 1, retryAfter, now);
        await store.ScheduleRetryAsync(entry.Id, next, reason, CancellationToken.None).ConfigureAwait(false);
        metrics.Retried();
        DeliveryLog.RetryScheduled(logger, entry.Id, entry.Attempts + 1, next - now, reason);
    }
}
