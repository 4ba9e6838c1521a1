using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Storage;

/// <summary>
/// The store's log events, both providers (5000-5099; its files' permissions and the pairing secrets 5100-5149; the registry 5200-5219; ingest 1000s, FHIR
/// 2000s, delivery 3000s). Patient ids and measured values never appear above Debug; passkeys never.
/// </summary>
internal static partial class StoreLog
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Information,
        Message = "Store opened at {Path} (schema version {SchemaVersion}, synchronous {Synchronous})")]
    public static partial void StoreOpened(ILogger logger, string path, int schemaVersion, SqliteSynchronous synchronous);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Store schema migrated from version {From} to {To}")]
    public static partial void SchemaMigrated(ILogger logger, int from, int to);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Debug,
        Message = "Committed {Count} messages: {Queued} queued, {Quarantined} quarantined, {Duplicates} duplicates, {Rejected} rejected")]
    public static partial void BatchCommitted(ILogger logger, int count, int queued, int quarantined, int duplicates, int rejected);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "{Moved} quarantined readings released to the outbox")]
    public static partial void QuarantineReleased(ILogger logger, int moved);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Information,
        Message = "Outbox entry {OutboxId} (reading {ReadingId}) dead-lettered after {Attempts} attempts (HTTP {HttpStatus})")]
    public static partial void DeadLettered(ILogger logger, long outboxId, long readingId, int attempts, int? httpStatus);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Information, Message = "{Count} dead letters replayed into the outbox")]
    public static partial void DeadLettersReplayed(ILogger logger, int count);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Information, Message = "{Count} dead letters purged")]
    public static partial void DeadLettersPurged(ILogger logger, int count);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Information,
        Message = "Store opened on PostgreSQL {Database} (schema version {SchemaVersion}); outbox claims as instance {InstanceId}")]
    public static partial void PostgresStoreOpened(ILogger logger, string database, int schemaVersion, string instanceId);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Information,
        Message = "Store schema: checksums recorded for {Count} migrations applied by an earlier gateway")]
    public static partial void MigrationChecksumsAdopted(ILogger logger, int count);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Warning,
        Message = "Outbox claims of instance {InstanceId} could not be released on shutdown ({Reason}); other instances take them when their lease ends")]
    public static partial void LeasesNotReleased(ILogger logger, string instanceId, string reason);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Error,
        Message = "Outbox entry {OutboxId} cannot be read ({Reason}); moved to the dead letters, the others go on")]
    public static partial void UnreadableOutboxEntry(ILogger logger, long outboxId, string reason);

    [LoggerMessage(EventId = 5014, Level = LogLevel.Warning,
        Message = "WAL checkpoint failed ({Reason}); the pages stay in the WAL and the next checkpoint copies them")]
    public static partial void CheckpointFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 5200, Level = LogLevel.Information,
        Message = "Device {DeviceId} {Slot} bound from {From}; {Moved} quarantined readings moved to the outbox")]
    public static partial void SlotBound(ILogger logger, string deviceId, string slot, DateTimeOffset from, int moved);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Debug, Message = "Device {DeviceId} {Slot} bound to {Patient}")]
    public static partial void SlotBoundTo(ILogger logger, string deviceId, string slot, string patient);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Information, Message = "Device {DeviceId} {Slot} unbound")]
    public static partial void SlotUnbound(ILogger logger, string deviceId, string slot);

    [LoggerMessage(EventId = 5100, Level = LogLevel.Warning,
        Message = "Store folder {Folder} is open to other users (mode {Mode}); the store's files are 0600, but their names and sizes show. Unless the folder is shared on purpose: chmod 700 it")]
    public static partial void StoreFolderOpen(ILogger logger, string folder, string mode);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning,
        Message = "Store file {Path} was open to other users (mode {Mode}); group and other permissions removed")]
    public static partial void StoreFileTightened(ILogger logger, string path, string mode);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning,
        Message = "Store file {Path} may be open to other users and its mode could not be changed: {Reason}")]
    public static partial void StoreFileNotTightened(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Information,
        Message = "The pairing passkey stored for {Address} expired unused after {Lifetime} and was wiped")]
    public static partial void PasskeyExpired(ILogger logger, string address, TimeSpan lifetime);
}
