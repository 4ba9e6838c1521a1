using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>
/// A connected client as the broker's rules see it; <paramref name="Acknowledgements"/> are its connection's PUBACKs
/// waiting for commits (null when MQTTnet's own listener made the connection, as without the front door).
/// </summary>
internal sealed record BrokerClient(BrokerPrincipal Principal, MqttProtocolVersion Protocol, PendingAcknowledgements? Acknowledgements = null);

/// <summary>
/// The broker's front door: every CONNECT is checked here (MQTTnet's ValidatingConnectionAsync), and the clients it let
/// in are remembered by client id, with who they proved to be, for the publish and subscribe rules.
/// </summary>
internal sealed class BrokerConnections(BrokerAuthenticator authenticator, ILogger logger)
{
    private const string AssignedPrefix = "auto-";
    private readonly Dictionary<string, BrokerClient> _clients = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private static readonly object SessionKey = new();

    /// <summary>The client connected (or with a session) under <paramref name="clientId"/>; null if unknown.</summary>
    public BrokerClient? Find(string clientId)
    {
        lock (_lock) return _clients.GetValueOrDefault(clientId);
    }

    /// <summary>
    /// Called when MQTTnet deletes the client id's session: the id is free for anyone again, unless a newer connection
    /// under the same id has been let in meanwhile (its entry is another object than the deleted session's).
    /// </summary>
    public void Forget(string clientId, System.Collections.IDictionary sessionItems)
    {
        lock (_lock)
        {
            if (_clients.TryGetValue(clientId, out var current) && ReferenceEquals(current, sessionItems[SessionKey]))
                _clients.Remove(clientId);
        }
    }

    public async Task ValidateAsync(ValidatingConnectionEventArgs e)
    {
        var packet = (e.ChannelAdapter as LimitedChannelAdapter)?.ConnectPacket;
        var v5 = e.ProtocolVersion == MqttProtocolVersion.V500;
        var clientId = e.ClientId ?? "";
        string? assigned = null;
        if (clientId.Length == 0)
        {
            // MQTT 3.1.1 §3.1.3-8: a zero-byte ClientId with CleanSession=0 MUST be refused with return code 0x02;
            // with CleanSession=1 the server may assign one (§3.1.3-6). MQTT 5.0 §3.1.3.1 [MQTT-3.1.3-6]: the Server
            // may assign one and then MUST return it as the Assigned Client Identifier (§3.2.2.3.7).
            if (!v5 && e.CleanSession != true)
            {
                Refuse(e, MqttConnectReasonCode.ClientIdentifierNotValid, "a zero-length client id needs CleanSession=1 (MQTT 3.1.1 §3.1.3-8)");
                return;
            }
            assigned = AssignedPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
            // Given at once, refused or not: MQTTnet answers any CONNECT still without an id "identifier rejected",
            // which would hide the real reason of a refusal below.
            if (v5) e.AssignedClientIdentifier = assigned;
            else if (packet is not null) packet.ClientId = assigned;
        }

        // A Will is published by the server on the client's behalf at an unclean disconnect (MQTT 3.1.1 §3.1.2.5,
        // MQTT 5.0 §3.1.2.5): on a vitals topic it would be a reading nobody measured.
        if (packet is { WillFlag: true } && VitalsTopic.IsVitalsTopic(packet.WillTopic ?? ""))
        {
            Refuse(e, MqttConnectReasonCode.NotAuthorized, $"a Will message on a vitals topic ('{SafeText.Escape(packet.WillTopic, 100)}')");
            return;
        }

        BrokerPrincipal? principal;
        try
        {
            principal = await authenticator.AuthenticateAsync(e.UserName, e.Password, e.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The store could not answer: say so (MQTT 5.0 0x88 Server unavailable, MQTT 3.1.1 CONNACK 0x03) rather
            // than drop the connection without a CONNACK; the device retries.
            Refuse(e, MqttConnectReasonCode.ServerUnavailable, $"credentials could not be checked ({ex.GetType().Name})");
            return;
        }
        if (principal is null)
        {
            Refuse(e, MqttConnectReasonCode.BadUserNameOrPassword,
                string.IsNullOrEmpty(e.UserName) ? "no credentials (Mqtt:Authentication requires them)" : $"bad user name or password for '{SafeText.Escape(e.UserName, 64)}'");
            return;
        }

        var id = assigned ?? clientId;
        lock (_lock)
        {
            // A connection with an existing client id takes over its session (MQTT 3.1.1 §3.1.4-2, MQTT 5.0 §3.1.4-3):
            // only the same user may, or one device could cut another off and inherit its session.
            if (_clients.TryGetValue(id, out var existing) && existing.Principal != principal)
            {
                Refuse(e, MqttConnectReasonCode.NotAuthorized, "the client id is in use by another user");
                return;
            }
            var client = new BrokerClient(principal, e.ProtocolVersion, (e.ChannelAdapter as LimitedChannelAdapter)?.Acknowledgements);
            _clients[id] = client;
            e.SessionItems[SessionKey] = client;
        }

        if (assigned is not null) IngestLog.ClientIdAssigned(logger, assigned, e.ProtocolVersion.ToString());
    }

    private void Refuse(ValidatingConnectionEventArgs e, MqttConnectReasonCode code, string reason)
    {
        e.ReasonCode = code;
        // MQTT 5.0 §3.2.2.3.9: the Reason String is for diagnostics; MQTTnet leaves it out of MQTT 3.1.1's CONNACK.
        e.ReasonString = reason;
        IngestLog.ConnectionRefused(logger, SafeText.Escape(e.ClientId ?? "", 64), e.RemoteEndPoint?.ToString() ?? "?", reason);
    }
}
