using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// Delivery's log events, one partial per folder: 3000-3099 the EHR client and the profile senders (Http/, Senders/),
/// 3100-3199 the delivery loop and the check before send (here), 3200-3299 SMART Backend Services (Auth/), 3300-3399
/// the CapabilityStatement check (Compatibility/). Above Debug, nothing carries a patient identifier or a measured
/// value: reasons are built free of them. Per-attempt detail is Debug; an outage is logged when it starts and when it
/// ends, not once per reading and attempt.
/// </summary>
internal static partial class DeliveryLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Debug, Message = "Outbox entry {OutboxId} from {DeviceId} delivered ({Resources} resources)")]
    public static partial void Delivered(ILogger logger, long outboxId, string deviceId, int resources);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug, Message = "Outbox entry {OutboxId}: attempt {Attempt} failed ({Reason}); next attempt in {Delay}")]
    public static partial void RetryScheduled(ILogger logger, long outboxId, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "Outbox entry {OutboxId} from {DeviceId} refused by the EHR (HTTP {Status}): {Reason}; kept as a dead letter (see 'outbox dead')")]
    public static partial void DeadLettered(ILogger logger, long outboxId, string deviceId, int status, string reason);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "The EHR is not accepting readings ({Reason}); they wait in the outbox and are retried")]
    public static partial void EhrUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Information, Message = "The EHR accepts readings again")]
    public static partial void EhrAvailable(ILogger logger);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Information, Message = "The EHR asked to wait (Retry-After): sending paused until {Until:u}")]
    public static partial void Paused(ILogger logger, DateTimeOffset until);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "Delivering outbox entry {OutboxId} failed with an internal error; it stays in the outbox")]
    public static partial void DeliveryCrashed(ILogger logger, Exception exception, long outboxId);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Error, Message = "Delivery loop could not read the outbox; retrying")]
    public static partial void LoopFailed(ILogger logger, Exception exception);

    // Paths only: the validator's messages can quote instance values, so they go to Debug and into the dead letter.
    [LoggerMessage(EventId = 3150, Level = LogLevel.Error, Message = "Outbox entry {OutboxId} from {DeviceId} failed validation before send ({Errors} errors at {Paths}); kept as a dead letter, nothing sent (see 'outbox dead --details')")]
    public static partial void PreSendInvalid(ILogger logger, long outboxId, string deviceId, int errors, string paths);

    [LoggerMessage(EventId = 3151, Level = LogLevel.Debug, Message = "Outbox entry {OutboxId} validation errors: {Errors}")]
    public static partial void PreSendInvalidDetails(ILogger logger, long outboxId, string errors);

    [LoggerMessage(EventId = 3120, Level = LogLevel.Debug, Message = "Outbox entry {OutboxId}: the dead letter keeps the EHR's answer truncated ({Cut} of {Length} characters left out)")]
    public static partial void DeadLetterTruncated(ILogger logger, long outboxId, int cut, int length);
    [LoggerMessage(EventId = 3108, Level = LogLevel.Debug, Message = "{Count} outbox entries wait until {Until:u} without an attempt counted ({Reason})")]
    public static partial void Postponed(ILogger logger, int count, DateTimeOffset until, string reason);

    [LoggerMessage(EventId = 3109, Level = LogLevel.Debug, Message = "A request of {Readings} readings failed as a whole (HTTP {Status}); sent again in halves of {First} and {Second}")]
    public static partial void Bisecting(ILogger logger, int readings, int status, int first, int second);

    [LoggerMessage(EventId = 3110, Level = LogLevel.Warning, Message = "Outbox entry {OutboxId} from {DeviceId} fails alone (attempt {Attempt}: {Reason}) while the EHR accepts other readings; it no longer holds its device's later readings")]
    public static partial void ReadingIsolated(ILogger logger, long outboxId, string deviceId, int attempt, string reason);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Error, Message = "Delivery paused: the EHR refuses the gateway's requests ({Reason}); readings wait in the outbox and one request probes every {Interval}")]
    public static partial void ConfigurationFault(ILogger logger, string reason, TimeSpan interval);

    [LoggerMessage(EventId = 3112, Level = LogLevel.Information, Message = "Delivery resumed: the EHR accepts the gateway's requests again")]
    public static partial void DeliveryResumed(ILogger logger);

    [LoggerMessage(EventId = 3130, Level = LogLevel.Information, Message = "Sending to the EHR slowed down ({Why}): {Concurrency} requests in flight, up to {BatchSize} readings each")]
    public static partial void FlowShrank(ILogger logger, int concurrency, int batchSize, string why);

    [LoggerMessage(EventId = 3131, Level = LogLevel.Debug, Message = "Sending to the EHR sped up: {Concurrency} requests in flight, up to {BatchSize} readings each")]
    public static partial void FlowGrew(ILogger logger, int concurrency, int batchSize);

    [LoggerMessage(EventId = 3132, Level = LogLevel.Warning, Message = "The EHR refused a request of {Readings} readings for its size; Bundles stay at most {Ceiling} readings")]
    public static partial void BatchCeilingLowered(ILogger logger, int readings, int ceiling);

    [LoggerMessage(EventId = 3400, Level = LogLevel.Warning, Message = "{DeviceId}: device record unavailable ({Reason}); its Device carries what the readings say")]
    public static partial void DeviceInformationUnavailable(ILogger logger, string deviceId, string reason);

    [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "Gateway Device {Identifier} is in the EHR as Device/{Id}")]
    public static partial void GatewayDeviceFiled(ILogger logger, string? identifier, string id);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Warning, Message = "Gateway Device not filed in the EHR ({Reason}); tried again before the next batch")]
    public static partial void GatewayDeviceNotFiled(ILogger logger, string reason);

    [LoggerMessage(EventId = 3410, Level = LogLevel.Debug, Message = "Provenance of {Observations} Observations is in the EHR as Provenance/{Id}")]
    public static partial void ProvenanceFiled(ILogger logger, int observations, string id);

    [LoggerMessage(EventId = 3411, Level = LogLevel.Warning, Message = "Provenance of {Observations} delivered Observations not filed ({Reason}); the Observations stay delivered")]
    public static partial void ProvenanceNotFiled(ILogger logger, int observations, string reason);

    [LoggerMessage(EventId = 3412, Level = LogLevel.Information, Message = "{DeviceId}: its Device/{Id} in the EHR updated to the device's present description (firmware, model, serial...)")]
    public static partial void DeviceUpdated(ILogger logger, string deviceId, string id);

    [LoggerMessage(EventId = 3413, Level = LogLevel.Warning, Message = "Device/{Id} in the EHR could not be brought up to date ({Reason}); its readings go on")]
    public static partial void DeviceNotUpdated(ILogger logger, string id, string reason);
}
