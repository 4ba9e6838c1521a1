using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>
/// One client's connection as MQTTnet's server sees it, with the per-client limits of <see cref="MqttLimitsOptions"/>
/// applied to the packets in between: the session expiry a client may ask for, the Receive Maximum and Maximum Packet
/// Size announced in CONNACK, the in-flight bound Receive Maximum promises, and the publish rate. MQTTnet's server has no
/// options for these, and its CONNACK announces neither limit.
/// </summary>
internal sealed class LimitedChannelAdapter(
    IMqttChannelAdapter inner, MqttLimitsOptions limits, TimeProvider time, ILogger logger) : IMqttChannelAdapter
{
    private readonly PublishRateLimiter _rate = new(limits.PublishesPerSecond, limits.PublishBurst, time);
    private readonly HashSet<ushort> _inFlight = [];
    private readonly SemaphoreSlim _slots = new(limits.ReceiveMaximum, limits.ReceiveMaximum);
    private bool _held;
    private string _clientId = "";
    private uint? _grantedSessionExpiry;
    private bool _slowed;

    public long BytesReceived => inner.BytesReceived;
    public long BytesSent => inner.BytesSent;
    public X509Certificate2 ClientCertificate => inner.ClientCertificate;
    public EndPoint RemoteEndPoint => inner.RemoteEndPoint;
    public EndPoint LocalEndPoint => inner.LocalEndPoint;
    public bool IsSecureConnection => inner.IsSecureConnection;
    public MqttPacketFormatterAdapter PacketFormatterAdapter => inner.PacketFormatterAdapter;

    public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);
    public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);
    public void ResetStatistics() => inner.ResetStatistics();

    /// <summary>
    /// The CONNECT packet once received (MQTT 3.1.1 §3.1 and MQTT 5.0 §3.1: the first packet of a connection), for the
    /// connection check: MQTTnet's <see cref="MQTTnet.Server.ValidatingConnectionEventArgs"/> exposes neither the Will
    /// (§3.1.2.5 in both) nor a way to give an MQTT 3.1.1 client the identifier the server assigns (§3.1.3-6).
    /// </summary>
    public MqttConnectPacket? ConnectPacket { get; private set; }

    /// <summary>This connection's acknowledgements that wait for a commit (the embedded broker's interceptor defers them here).</summary>
    public PendingAcknowledgements Acknowledgements { get; } = new();

    private bool IsV5 => inner.PacketFormatterAdapter.ProtocolVersion == MqttProtocolVersion.V500;

    public async Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken)
    {
        var packet = await inner.ReceivePacketAsync(cancellationToken).ConfigureAwait(false);
        switch (packet)
        {
            case MqttConnectPacket connect:
                ConnectPacket = connect;
                _clientId = SafeText.Escape(connect.ClientId, 64);
                CapSessionExpiry(connect);
                break;
            case MqttDisconnectPacket { SessionExpiryInterval: var asked } disconnect when asked > limits.MaxSessionExpirySeconds:
                // MQTT 5.0 §3.14.2.2.2: a client may change its session expiry when it disconnects; the cap still holds.
                disconnect.SessionExpiryInterval = limits.MaxSessionExpirySeconds;
                break;
            case MqttPublishPacket publish:
                if (await _rate.TakeAsync(cancellationToken).ConfigureAwait(false) && !_slowed)
                {
                    _slowed = true;
                    IngestLog.PublishRateExceeded(logger, _clientId);
                }
                if (publish.QualityOfServiceLevel != MqttQualityOfServiceLevel.AtMostOnce)
                {
                    await TakeInFlightAsync(publish.PacketIdentifier, cancellationToken).ConfigureAwait(false);
                    Acknowledgements.Dispatching(publish);
                }
                break;
        }
        return packet!;
    }

    public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken)
    {
        switch (packet)
        {
            case MqttConnAckPacket connAck when IsV5:
                // MQTT 5.0 §3.2.2.3.3 and §3.2.2.3.6: tell the client the limits, so a compliant one never meets them.
                connAck.ReceiveMaximum = (ushort)limits.ReceiveMaximum;
                connAck.MaximumPacketSize = (uint)limits.MaxPacketBytes;
                // §3.2.2.3.2: a server that uses another session expiry than the client asked for MUST send it in CONNACK.
                if (_grantedSessionExpiry is { } granted) connAck.SessionExpiryInterval = granted;
                break;
            case MqttPubAckPacket or MqttPubRecPacket:
                return SendAcknowledgementAsync((MqttPacketWithIdentifier)packet, cancellationToken);
        }
        return inner.SendPacketAsync(packet, cancellationToken);
    }

    /// <summary>
    /// A PUBACK or PUBREC goes out only once its message is durable (<see cref="PendingAcknowledgements"/>); MQTTnet's
    /// sender for this connection waits here, so acknowledgements keep the order of their publishes. The in-flight slot
    /// is released before the acknowledgement is written: a client may send its next publish as soon as it has read
    /// it, and that publish must find the slot free (MQTT 5.0 §4.9). A QoS 2 publish is released at its PUBREC, not its
    /// PUBCOMP: the PUBREL that leads to PUBCOMP queues behind the publish being held, so waiting for it would wait
    /// forever. By PUBREC the message has been handled; what remains is the handshake.
    /// </summary>
    private async Task SendAcknowledgementAsync(MqttPacketWithIdentifier ack, CancellationToken cancellationToken)
    {
        var decision = await Acknowledgements.WaitAsync(ack.PacketIdentifier, cancellationToken).ConfigureAwait(false);
        ReleaseInFlight(ack.PacketIdentifier);
        if (!decision.Send)
        {
            if (decision.Failure is { } failure)
            {
                // Closing the connection withholds this acknowledgement and every later one; the publisher resends
                // those messages when it reconnects, and the store recognises what it already has.
                IngestLog.NotAcknowledged(logger, SafeText.Escape(decision.Topic ?? ""), failure.GetType().Name);
                try
                {
                    await inner.DisconnectAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or MQTTnet.Exceptions.MqttCommunicationException)
                {
                    // Already closed.
                }
            }
            return;
        }
        if (decision.Outcome == IngestOutcome.Rejected)
        {
            // Kept in the rejected store; an MQTT 5 publisher also learns it from the reason code (MQTT 5.0 §3.4.2.1, 0x99).
            if (ack is MqttPubAckPacket pubAck) pubAck.ReasonCode = MqttPubAckReasonCode.PayloadFormatInvalid;
            else if (ack is MqttPubRecPacket pubRec) pubRec.ReasonCode = MqttPubRecReasonCode.PayloadFormatInvalid;
        }
        await inner.SendPacketAsync(ack, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _slots.Dispose();
        inner.Dispose();
    }

    private void CapSessionExpiry(MqttConnectPacket connect)
    {
        var cap = limits.MaxSessionExpirySeconds;
        // Set by the decoder only for MQTT 5 (§3.1.2.11.2); 3.1.1 persistent sessions are ended by MqttSessionExpiry.
        if (connect.SessionExpiryInterval <= cap) return;
        IngestLog.SessionExpiryCapped(logger, _clientId, connect.SessionExpiryInterval, cap);
        connect.SessionExpiryInterval = cap;
        _grantedSessionExpiry = cap;
    }

    /// <summary>
    /// Holds a QoS 1 or 2 publish back until fewer than Receive Maximum of the client's publishes are unacknowledged.
    /// MQTT 5.0 §3.3.4 lets the server answer an excess with DISCONNECT 0x93, but MQTTnet's own client ignores the
    /// announced maximum, and a device that is merely eager should be slowed like one over the publish rate, not cut off.
    /// Either way the gateway never holds more than Receive Maximum (plus this one) of a client's publishes unanswered.
    /// </summary>
    private async ValueTask TakeInFlightAsync(ushort packetId, CancellationToken ct)
    {
        lock (_inFlight)
        {
            // A resent publish (DUP) with an id already in flight is the same message, not one more (§4.3.2, §4.3.3).
            if (_inFlight.Contains(packetId)) return;
        }
        if (!_slots.Wait(0))
        {
            if (!_held)
            {
                _held = true;
                IngestLog.ReceiveMaximumReached(logger, _clientId, limits.ReceiveMaximum);
            }
            await _slots.WaitAsync(ct).ConfigureAwait(false);
        }
        lock (_inFlight)
            if (!_inFlight.Add(packetId)) _slots.Release();
    }

    private void ReleaseInFlight(ushort packetId)
    {
        bool released;
        lock (_inFlight) released = _inFlight.Remove(packetId);
        if (released) _slots.Release();
    }
}
