namespace Vitals.Gateway.Storage;

/// <summary>The readings waiting for the EHR, as the delivery loop takes them and settles them.</summary>
public interface IOutbox
{
    /// <summary>
    /// Entries whose next attempt is due at <paramref name="now"/>, oldest effective time first, in per-device order:
    /// none of a device with an entry in <paramref name="inFlight"/>, none behind an earlier entry of the same device
    /// that waits for a retry (the head of a device's queue goes first). With <paramref name="headsOnly"/> at most one
    /// entry per device, for senders that send one reading per request.
    /// </summary>
    Task<IReadOnlyList<OutboxEntry>> GetDueAsync(DateTimeOffset now, int max, IReadOnlySet<long> inFlight, bool headsOnly, CancellationToken ct);

    /// <summary>The earliest next-attempt time in the outbox, or null when it is empty.</summary>
    Task<DateTimeOffset?> GetNextDueAsync(CancellationToken ct);

    Task MarkDeliveredAsync(long outboxId, DateTimeOffset at, string? serverIds, CancellationToken ct);

    /// <summary>Several entries delivered (one transaction Bundle's readings) in one store transaction.</summary>
    Task MarkDeliveredAsync(IReadOnlyList<DeliveredEntry> entries, DateTimeOffset at, CancellationToken ct);

    Task ScheduleRetryAsync(long outboxId, DateTimeOffset nextAttemptAt, string lastError, CancellationToken ct);

    /// <summary>
    /// A failed attempt of a reading that failed alone with a server error while others went through: counted like
    /// <see cref="ScheduleRetryAsync"/>, and the entry stops holding its device's later readings (see GetDueAsync).
    /// <paramref name="history"/> replaces the last error: the answers so far, newest first.
    /// </summary>
    Task ScheduleIsolatedRetryAsync(long outboxId, DateTimeOffset nextAttemptAt, string history, CancellationToken ct);

    /// <summary>
    /// Entries not due before <paramref name="until"/> without counting an attempt: the server asked to wait (429), the
    /// request was too large or slow for it, delivery is paused for a configuration fault, or they were not sent at all.
    /// Entries no longer in the outbox are skipped.
    /// </summary>
    Task PostponeAsync(IReadOnlyList<long> outboxIds, DateTimeOffset until, string reason, CancellationToken ct);

    /// <summary>The EHR refused the entry for good: it becomes a dead letter with the reason.</summary>
    Task DeadLetterAsync(long outboxId, DeadLetterReason reason, DateTimeOffset at, CancellationToken ct);
}
