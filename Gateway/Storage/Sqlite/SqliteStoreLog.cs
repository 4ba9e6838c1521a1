using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary>The store's log events (5000-5099; ingest 1000s, FHIR 2000s, delivery 3000s). Patient ids and measured values never appear above Debug.</summary>
internal static partial class SqliteStoreLog
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Information,
        Message = "Store opened at {Path} (schema version {SchemaVersion}, synchronous {Synchronous})")]
    public static partial void StoreOpened(ILogger logger, string path, int schemaVersion, SqliteSynchronous synchronous);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Store schema migrated from version {From} to {To}")]
    public static partial void SchemaMigrated(ILogger logger, int from, int to);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Debug,
        Message = "Committed {Count} messages: {Queued} queued, {Quarantined} quarantined, {Duplicates} duplicates, {Rejected} rejected")]
    public static partial void BatchCommitted(ILogger logger, int count, int queued, int quarantined, int duplicates, int rejected);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information,
        Message = "Device {DeviceId} bound; {Moved} quarantined readings moved to the outbox")]
    public static partial void DeviceBound(ILogger logger, string deviceId, int moved);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Debug, Message = "Device {DeviceId} bound to {Patient}")]
    public static partial void DeviceBoundTo(ILogger logger, string deviceId, string patient);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "Device {DeviceId} unbound")]
    public static partial void DeviceUnbound(ILogger logger, string deviceId);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "{Moved} quarantined readings released to the outbox")]
    public static partial void QuarantineReleased(ILogger logger, int moved);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Information,
        Message = "Outbox entry {OutboxId} (reading {ReadingId}) dead-lettered after {Attempts} attempts (HTTP {HttpStatus})")]
    public static partial void DeadLettered(ILogger logger, long outboxId, long readingId, int attempts, int? httpStatus);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Information, Message = "{Count} dead letters replayed into the outbox")]
    public static partial void DeadLettersReplayed(ILogger logger, int count);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Information, Message = "{Count} dead letters purged")]
    public static partial void DeadLettersPurged(ILogger logger, int count);
}
