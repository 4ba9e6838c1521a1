using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// What a delivery round's outcomes mean for the outbox, the metrics, the log and the loop's pause. Only failures that
/// may be the reading's count as its attempts (exponential backoff, <see cref="RetryPolicy"/>); the server's
/// throttling, a size refusal, a configuration fault and readings not sent are postponed without counting.
/// </summary>
internal sealed class OutcomeRecorder(
    IOutbox store, RetryPolicy retry, GatewayMetrics metrics, TimeProvider time, EhrRetryOptions options, DeliveryHealth health, ILogger logger)
{
    /// <summary>How many answers a reading failing alone keeps in its history (the dead letter shows them).</summary>
    private const int HistoryLines = 20;

    /// <summary>A 429 without Retry-After (nor a RateLimit reset) pauses this long.</summary>
    private static readonly TimeSpan DefaultThrottlePause = TimeSpan.FromSeconds(1);

    // 1 while the EHR answers with retry-later outcomes, so the outage is logged when it starts and when it ends.
    private int _ehrFailing;

    // Ticks (UTC) until which nothing is sent: a Retry-After (429, 503) or a configuration fault is about the server,
    // not one reading, so every sender honours it instead of each finding out on its own (no thundering herd).
    private long _pausedUntilTicks;

    public DateTimeOffset PausedUntil => new(Interlocked.Read(ref _pausedUntilTicks), TimeSpan.Zero);

    /// <param name="progress">Whether the EHR accepted anything while this round ran: then a reading failing alone with a server error is the reading's fault.</param>
    public async Task RecordAsync(IReadOnlyList<ReadingOutcome> outcomes, bool progress)
    {
        // The acknowledged readings leave the outbox in one store transaction: one fsync per Bundle, not per reading.
        var delivered = new List<DeliveredEntry>(outcomes.Count);
        foreach (var o in outcomes)
        {
            if (o.Result is DeliveryResult.Delivered d)
                delivered.Add(new DeliveredEntry(o.Entry.Id, string.Join(' ', d.ServerIds)));
        }
        if (delivered.Count > 0)
        {
            await store.MarkDeliveredAsync(delivered, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            if (Interlocked.Exchange(ref _ehrFailing, 0) == 1) DeliveryLog.EhrAvailable(logger);
            if (health.Resume()) DeliveryLog.DeliveryResumed(logger);
        }

        var postponed = new Dictionary<(DateTimeOffset Until, string Reason), List<long>>();
        foreach (var o in outcomes)
        {
            if (o.Sent) metrics.Answered(o.Result);
            switch (o.Result)
            {
                case DeliveryResult.Delivered d:
                    metrics.Delivered(time.GetUtcNow() - o.Entry.EnqueuedAt);
                    DeliveryLog.Delivered(logger, o.Entry.Id, o.Entry.Reading.DeviceId, d.ServerIds.Count);
                    break;
                case DeliveryResult.Rejected r:
                    await DeadLetterAsync(o.Entry, new DeadLetterReason(r.Reason, r.HttpStatus, r.Request, r.Response)).ConfigureAwait(false);
                    break;
                case DeliveryResult.RetryLater r:
                    if (Postpone(o, r, progress) is { } until)
                    {
                        var key = (until, o.Sent ? r.Reason : "not sent: " + r.Reason);
                        if (!postponed.TryGetValue(key, out var ids)) postponed[key] = ids = [];
                        ids.Add(o.Entry.Id);
                    }
                    else
                    {
                        await RetryAsync(o, r, progress).ConfigureAwait(false);
                    }
                    break;
            }
        }
        foreach (var ((until, reason), ids) in postponed)
        {
            await store.PostponeAsync(ids, until, reason, CancellationToken.None).ConfigureAwait(false);
            DeliveryLog.Postponed(logger, ids.Count, until, reason);
        }
    }

    /// <summary>When the reading is due again without an attempt counted, or null when the failure counts.</summary>
    private DateTimeOffset? Postpone(ReadingOutcome o, DeliveryResult.RetryLater r, bool progress)
    {
        var now = time.GetUtcNow();
        switch (r.Cause)
        {
            case RetryCause.Throttled:
                var wait = r.RetryAfter ?? DefaultThrottlePause;
                var until = now + (wait < options.MaxRetryAfter ? wait : options.MaxRetryAfter);
                PauseAll(until, r.Reason);
                return until;
            case RetryCause.Configuration:
                if (health.Pause(r.Reason, now))
                    DeliveryLog.ConfigurationFault(logger, r.Reason, options.ProbeInterval);
                var probe = now + options.ProbeInterval;
                PauseAll(probe, null);
                return probe;
            case RetryCause.TooLarge when o.Alone:
                return null;
            case RetryCause.TooLarge:
                return now;
        }
        // Not sent (an earlier part of its Bundle failed): while the EHR accepts other readings, it is simply due again;
        // in an outage it shares the failure's backoff, or every round would send it again at once.
        return !o.Sent && progress ? now : null;
    }

    private async Task RetryAsync(ReadingOutcome o, DeliveryResult.RetryLater r, bool progress)
    {
        if (r.Cause == RetryCause.TooLarge)
        {
            // One reading alone is too large: it cannot be split further, and the server will refuse it every time.
            await DeadLetterAsync(o.Entry, new DeadLetterReason(r.Reason + " (one reading alone; it cannot be split)", r.HttpStatus, r.Request, r.Response))
                .ConfigureAwait(false);
            return;
        }
        if (Interlocked.Exchange(ref _ehrFailing, 1) == 0) DeliveryLog.EhrUnavailable(logger, r.Reason);
        if (r.Cause == RetryCause.ServerError && o.Alone && o.Sent)
        {
            await RetryPoisonedAsync(o.Entry, r, progress).ConfigureAwait(false);
            return;
        }
        await ScheduleRetryAsync(o.Entry, r.RetryAfter, r.Reason).ConfigureAwait(false);
    }

    /// <summary>
    /// A reading that failed alone with a server error: retried with backoff, its answers kept, and dead-lettered once
    /// older than <c>Ehr:Retry:MaxAge</c>. When the EHR accepted other readings meanwhile (<paramref name="progress"/>),
    /// the fault follows this reading: it is isolated and stops holding its device's later readings.
    /// </summary>
    private async Task RetryPoisonedAsync(OutboxEntry entry, DeliveryResult.RetryLater r, bool progress)
    {
        var now = time.GetUtcNow();
        var history = History(now, r.Reason, entry.LastError);
        var age = now - entry.EnqueuedAt;
        if (age >= options.MaxAge)
        {
            var response = new StringBuilder("Answers, newest first:\n").Append(history);
            if (r.Response is not null)
                response.Append("\n\nLast answer's body:\n").Append(r.Response);
            await DeadLetterAsync(entry, new DeadLetterReason(
                string.Create(CultureInfo.InvariantCulture, $"server errors for this reading alone for {age.TotalDays:0.#} days (Ehr:Retry:MaxAge {options.MaxAge}): {r.Reason}"),
                r.HttpStatus, r.Request, response.ToString())).ConfigureAwait(false);
            return;
        }
        try
        {
            var next = retry.NextAttempt(entry.Attempts + 1, r.RetryAfter, now);
            if (progress)
            {
                await store.ScheduleIsolatedRetryAsync(entry.Id, next, history, CancellationToken.None).ConfigureAwait(false);
                DeliveryLog.ReadingIsolated(logger, entry.Id, entry.Reading.DeviceId, entry.Attempts + 1, r.Reason);
            }
            else
            {
                await store.ScheduleRetryAsync(entry.Id, next, history, CancellationToken.None).ConfigureAwait(false);
            }
            metrics.Retried();
            DeliveryLog.RetryScheduled(logger, entry.Id, entry.Attempts + 1, next - now, r.Reason);
        }
        catch (Exception ex)
        {
            DeliveryLog.LoopFailed(logger, ex);
        }
    }

    /// <summary>The reading's answers so far, newest first, at most <see cref="HistoryLines"/>.</summary>
    private static string History(DateTimeOffset now, string reason, string? previous)
    {
        var lines = new List<string> { now.ToString("u", CultureInfo.InvariantCulture) + " " + reason };
        if (previous is not null)
            lines.AddRange(previous.Split('\n').Take(HistoryLines - 1));
        return string.Join('\n', lines);
    }

    public async Task ScheduleRetryAsync(OutboxEntry entry, TimeSpan? retryAfter, string reason)
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

    private async Task DeadLetterAsync(OutboxEntry entry, DeadLetterReason why)
    {
        var response = DeadLetterText.Truncate(why.Response, out var cut);
        if (cut > 0)
            DeliveryLog.DeadLetterTruncated(logger, entry.Id, cut, why.Response!.Length);
        await store.DeadLetterAsync(entry.Id, why with { Response = response }, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        metrics.DeadLettered();
        DeliveryLog.DeadLettered(logger, entry.Id, entry.Reading.DeviceId, why.HttpStatus ?? 0, why.Reason);
    }

    private void PauseAll(DateTimeOffset until, string? reason)
    {
        long current;
        do
        {
            current = Interlocked.Read(ref _pausedUntilTicks);
            if (until.UtcTicks <= current) return;
        } while (Interlocked.CompareExchange(ref _pausedUntilTicks, until.UtcTicks, current) != current);
        if (reason is not null)
            DeliveryLog.Paused(logger, until);
    }
}
