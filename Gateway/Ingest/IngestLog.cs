using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Ingest;

/// <summary>Ingest stage log events, ids 1000-1199. No measured values or patient identifiers above Debug.</summary>
internal static partial class IngestLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Embedded MQTT broker listening on {Endpoint}")]
    public static partial void BrokerStarted(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Connected to MQTT broker {Endpoint} as {ClientId}, subscribed to {Filters}")]
    public static partial void ClientConnected(ILogger logger, string endpoint, string clientId, string filters);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "MQTT broker {Endpoint} unreachable or disconnected ({Reason}); retrying in {Delay}")]
    public static partial void ClientDisconnected(ILogger logger, string endpoint, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Embedded MQTT broker: client credentials {Credentials}; {Operators} operator(s) configured")]
    public static partial void BrokerCredentials(ILogger logger, string credentials, int operators);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Rejected message on {Topic} at {Where}; kept in the rejected store (see 'rejected list')")]
    public static partial void Rejected(ILogger logger, string topic, string where);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Debug, Message = "Rejected message on {Topic}: {Reason}")]
    public static partial void RejectedDetail(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Debug, Message = "Reading from unbound device {DeviceId} quarantined (bind it with 'devices bind')")]
    public static partial void Quarantined(ILogger logger, string deviceId);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Error, Message = "Committing a batch of {Count} messages failed; none was acknowledged, sources will resend")]
    public static partial void CommitFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Warning, Message = "Message on {Topic} not acknowledged: {Reason}")]
    public static partial void NotAcknowledged(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Warning, Message = "MQTT connection of client {ClientId} from {Endpoint} refused: {Reason}")]
    public static partial void ConnectionRefused(ILogger logger, string clientId, string endpoint, string reason);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Debug, Message = "MQTT client with a zero-length client id ({Protocol}) assigned {ClientId}")]
    public static partial void ClientIdAssigned(ILogger logger, string clientId, string protocol);

    [LoggerMessage(EventId = 1032, Level = LogLevel.Warning, Message = "MQTT publish of client {ClientId} on {Topic} refused: {Reason}")]
    public static partial void PublishRefused(ILogger logger, string clientId, string topic, string reason);

    [LoggerMessage(EventId = 1033, Level = LogLevel.Warning, Message = "MQTT subscription of client {ClientId} to {Filter} refused (not authorized)")]
    public static partial void SubscriptionRefused(ILogger logger, string clientId, string filter);

    // External mode (ExternalBrokerClient), 1150 upward.

    [LoggerMessage(EventId = 1150, Level = LogLevel.Debug, Message = "Retained message on {Topic} acknowledged and not ingested (it came from the broker's retained store, not from the device now); {Count} so far")]
    public static partial void RetainedIgnored(ILogger logger, string topic, long count);

    [LoggerMessage(EventId = 1151, Level = LogLevel.Debug, Message = "Message on {Topic} committed but not acknowledged: the connection it arrived on is gone (the broker redelivers it on the session; the store keeps one copy); {Count} so far")]
    public static partial void AcknowledgementSkipped(ILogger logger, string topic, long count);
}
