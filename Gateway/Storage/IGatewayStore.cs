using Vitals.Devices;
using Vitals.Gateway.Binding;

namespace Vitals.Gateway.Storage;

/// <summary>
/// The durable store: the boundary of the pipeline. A message is acknowledged to its source only after
/// <see cref="CommitAsync"/> has returned for it. The worker, the web page and the CLI share one store.
/// </summary>
public interface IGatewayStore : IDisposable
{
    /// <summary>Creates the schema if needed. Idempotent.</summary>
    Task InitializeAsync(CancellationToken ct);

    /// <summary>
    /// Commits a batch in one transaction: each decoded reading goes to the outbox when its device is bound
    /// (binding looked up inside the transaction), to quarantine when not, or is recognised as a duplicate of a
    /// reading already stored (same <see cref="ReadingIdentity.Key"/>); each undecodable message goes to the rejected
    /// store with its reason. Returns one outcome per record, in order.
    /// </summary>
    Task<IReadOnlyList<IngestOutcome>> CommitAsync(IReadOnlyList<IngestRecord> batch, CancellationToken ct);

    // --- bindings
    /// <summary>Binds (or re-binds) a device; quarantined readings of that device move to the outbox in the same transaction. Returns how many moved.</summary>
    Task<int> BindAsync(string deviceId, PatientId patient, DateTimeOffset at, CancellationToken ct);
    /// <summary>Ends the current binding (history stays). False when the device had none.</summary>
    Task<bool> UnbindAsync(string deviceId, DateTimeOffset at, CancellationToken ct);
    Task<IReadOnlyList<DeviceSummary>> ListDevicesAsync(CancellationToken ct);
    /// <summary>The ids of the devices bound now: what a source that keeps connections per device polls for.</summary>
    Task<IReadOnlyList<string>> ListBoundDeviceIdsAsync(CancellationToken ct);

    // --- quarantine and rejected
    Task<IReadOnlyList<QuarantinedReading>> ListQuarantineAsync(string? deviceId, int limit, CancellationToken ct);
    /// <summary>Moves quarantined readings of bound devices (all, or one device's) to the outbox. Returns how many moved.</summary>
    Task<int> ReleaseQuarantineAsync(string? deviceId, CancellationToken ct);
    Task<IReadOnlyList<RejectedMessage>> ListRejectedAsync(int limit, CancellationToken ct);

    // --- outbox
    /// <summary>
    /// Entries whose next attempt is due at <paramref name="now"/>, oldest effective time first, in per-device order: none
    /// of a device with an entry in <paramref name="inFlight"/>, none behind an earlier entry of the same device that
    /// waits for a retry (the head of a device's queue goes first).
    /// </summary>
    Task<IReadOnlyList<OutboxEntry>> GetDueAsync(DateTimeOffset now, int max, IReadOnlySet<long> inFlight, CancellationToken ct);
    /// <summary>As the other overload; with <paramref name="headsOnly"/> at most one entry per device, the head of its queue.</summary>
    Task<IReadOnlyList<OutboxEntry>> GetDueAsync(DateTimeOffset now, int max, IReadOnlySet<long> inFlight, bool headsOnly, CancellationToken ct);
    /// <summary>The earliest next-attempt time in the outbox, or null when it is empty.</summary>
    Task<DateTimeOffset?> GetNextDueAsync(CancellationToken ct);
    Task MarkDeliveredAsync(long outboxId, DateTimeOffset at, string? serverIds, CancellationToken ct);
    /// <summary>Several entries delivered (one transaction Bundle's readings) in one store transaction.</summary>
    Task MarkDeliveredAsync(IReadOnlyList<DeliveredEntry> entries, DateTimeOffset at, CancellationToken ct);
    Task ScheduleRetryAsync(long outboxId, DateTimeOffset nextAttemptAt, string lastError, CancellationToken ct);
    Task DeadLetterAsync(long outboxId, DeadLetterReason reason, DateTimeOffset at, CancellationToken ct);
    Task<OutboxStatus> GetOutboxStatusAsync(CancellationToken ct);
    Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int limit, CancellationToken ct);
    /// <summary>Puts dead letters (one, or all when null) back into the outbox with a fresh attempt count. Returns how many.</summary>
    Task<int> ReplayDeadLettersAsync(long? deadLetterId, CancellationToken ct);
    /// <summary>Deletes dead letters (one, or all when null). Returns how many.</summary>
    Task<int> PurgeDeadLettersAsync(long? deadLetterId, CancellationToken ct);
}

public enum IngestOutcome { Queued, Quarantined, Duplicate, Rejected }

public sealed record DeviceSummary(
    string DeviceId, PatientId? Patient, DateTimeOffset? BoundAt, DateTimeOffset? LastSeen, long Readings, long Quarantined);

public sealed record QuarantinedReading(long ReadingId, string DeviceId, Reading Reading, DateTimeOffset ReceivedAt);

/// <summary>A message kept with the reason it could not become a reading; <see cref="Origin"/> as its source named it.</summary>
public sealed record RejectedMessage(long Id, DateTimeOffset ReceivedAt, string Origin, string Reason, byte[] Payload);

/// <summary>A bound reading waiting for delivery. <see cref="Attempts"/> counts failed attempts so far.</summary>
public sealed record OutboxEntry(
    long Id, long ReadingId, Reading Reading, PatientId Patient, int Attempts, DateTimeOffset EnqueuedAt, string Origin, byte[] Payload);

public sealed record OutboxStatus(long Pending, long Due, long Retrying, long Delivered, long DeadLetters, long Quarantined, long Rejected, DateTimeOffset? OldestPending);

/// <summary>An outbox entry the EHR acknowledged, with the server ids (space-separated, e.g. "Observation/12").</summary>
public sealed record DeliveredEntry(long OutboxId, string? ServerIds);

/// <summary>Why the EHR refused a reading for good: kept with the dead letter, with the original request.</summary>
public sealed record DeadLetterReason(string Reason, int? HttpStatus, string? Request, string? Response);

public sealed record DeadLetter(
    long Id, long ReadingId, string DeviceId, PatientId Patient, Reading Reading, DateTimeOffset FailedAt, int Attempts,
    DeadLetterReason Why, string Origin, byte[] Payload);
