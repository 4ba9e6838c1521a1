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

    /// <summary>The EHR refused the entry for good: it becomes a dead letter with the reason.</summary>
    Task DeadLetterAsync(long outboxId, DeadLetterReason reason, DateTimeOffset at, CancellationToken ct);
}
