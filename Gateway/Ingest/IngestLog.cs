using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Ingest;

/// <summary>Ingest stage log events, ids 1000-1199 (the embedded broker's front door from 1100). No measured values or patient identifiers above Debug.</summary>
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

    [LoggerMessage(EventId = 1152, Level = LogLevel.Warning, Message = "The broker sent more than Mqtt:ReceiveMaximum ({Max}) messages unacknowledged, which MQTT 5 forbids; further messages wait in the client until commits free slots (said once)")]
    public static partial void BrokerExceededReceiveMaximum(ILogger logger, int max);

    // The embedded broker's limits and TLS (MqttFrontDoor), 1100 upward.

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Mqtt:Tls is configured, so plain MQTT port {Port} stays closed (Mqtt:Tls:KeepPlainPort opens it)")]
    public static partial void PlainPortClosed(ILogger logger, int port);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Closed MQTT connection from {Endpoint}: it sent a packet larger than Mqtt:Limits:MaxPacketBytes ({Max}) or a malformed length")]
    public static partial void PacketTooLarge(ILogger logger, string endpoint, int max);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "The packet from {Endpoint} announced at least {Announced} bytes")]
    public static partial void PacketTooLargeDetail(ILogger logger, string endpoint, long announced);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Refused MQTT connection from {Endpoint}: Mqtt:Limits:MaxConnections ({Max}) are open")]
    public static partial void ConnectionLimitReached(ILogger logger, string endpoint, int max);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "MQTT client {ClientId} publishes faster than Mqtt:Limits:PublishesPerSecond; its acknowledgements now wait")]
    public static partial void PublishRateExceeded(ILogger logger, string clientId);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Information, Message = "MQTT client {ClientId} has Mqtt:Limits:ReceiveMaximum ({Max}) publishes unacknowledged; its next one waits for a slot")]
    public static partial void ReceiveMaximumReached(ILogger logger, string clientId, int max);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Debug, Message = "MQTT client {ClientId} asked for a session expiry of {Requested} s; granted {Granted} s (Mqtt:Limits:MaxSessionExpiry)")]
    public static partial void SessionExpiryCapped(ILogger logger, string clientId, uint requested, uint granted);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Debug, Message = "Session of MQTT client {ClientId} expired and was removed")]
    public static partial void SessionExpired(ILogger logger, string clientId);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Information, Message = "TLS connection from {Endpoint} failed before MQTT began: {Reason}")]
    public static partial void TlsHandshakeFailed(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 1109, Level = LogLevel.Error, Message = "MQTT connection from {Endpoint} ended with an unexpected error")]
    public static partial void ConnectionFailed(ILogger logger, Exception exception, string endpoint);

    [LoggerMessage(EventId = 1110, Level = LogLevel.Warning, Message = "Expiring MQTT sessions failed; trying again at the next sweep")]
    public static partial void SessionSweepFailed(ILogger logger, Exception exception);
}
