using System.Buffers;
using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;
using Vitals.Devices;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>
/// The in-process broker (Mqtt:Mode=Embedded). Every publish under <c>vitals/</c> is decoded and queued for the group
/// commit inside the publish interceptor; its PUBACK (QoS 1) or PUBREC (QoS 2) is held by the connection
/// (<see cref="PendingAcknowledgements"/>) until the commit, so a publisher's message is acknowledged exactly when its
/// reading is durable, and a connection with several publishes in flight has them all in the commit. Who may connect,
/// publish and subscribe is decided by <see cref="BrokerConnections"/> and <see cref="BrokerTopicRules"/> (README "MQTT
/// contract").
/// </summary>
public sealed class EmbeddedBroker(
    IngestPipeline pipeline,
    IDeviceCredentials credentials,
    IOptions<MqttOptions> options,
    MqttFrontDoor frontDoor,
    TimeProvider time,
    ILogger<EmbeddedBroker> logger) : IHostedService, IDisposable
{
    private MqttServer? _server;
    private BrokerConnections? _connections;
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The broker has started and its listeners accept connections (the readiness check).</summary>
    public bool IsListening => _server?.IsStarted == true && frontDoor.Endpoints.Length > 0;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var address = o.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(o.Host);
        var serverOptions = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(address)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None)
            .WithDefaultEndpointPort(o.Port)
            .Build();
        // A restart right after a crash must get its port back even while old connections linger in TIME_WAIT.
        serverOptions.DefaultEndpointOptions.ReuseAddress = true;
        // A fleet reconnects at once after a gateway restart: queue its TCP handshakes instead of dropping them.
        serverOptions.DefaultEndpointOptions.ConnectionBacklog = 1024;
        var authenticator = new BrokerAuthenticator(credentials, o);
        var connections = new BrokerConnections(authenticator, logger);
        _connections = connections;
        // The front door listens instead of MQTTnet's TCP adapter: TLS, the limits MQTTnet's reader cannot apply, and
        // each connection's CONNECT packet kept for the connection check (LimitedChannelAdapter.ConnectPacket).
        frontDoor.Configure(serverOptions);
        _server = new MqttServerFactory().CreateMqttServer(serverOptions, [frontDoor]);
        _server.ValidatingConnectionAsync += connections.ValidateAsync;
        _server.SessionDeletedAsync += e =>
        {
            connections.Forget(e.Id, e.SessionItems);
            return Task.CompletedTask;
        };
        _server.InterceptingPublishAsync += OnPublishAsync;
        _server.InterceptingSubscriptionAsync += OnSubscribeAsync;
        _server.InterceptingClientEnqueueAsync += OnEnqueueAsync;
        await _server.StartAsync().ConfigureAwait(false);
        frontDoor.Attach(_server);
        IngestLog.BrokerStarted(logger, frontDoor.Endpoints);
        IngestLog.BrokerCredentials(logger, authenticator.Required ? "required" : "off (listening on loopback only)", o.Operators.Count);
    }

    private async Task OnPublishAsync(InterceptingPublishEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        var client = _connections?.Find(e.ClientId);
        if (client is null)
        {
            RefusePublish(e, null, "the client is not known to the broker");
            return;
        }
        if (!VitalsTopic.IsVitalsTopic(topic))
        {
            if (!options.Value.PassThrough) RefusePublish(e, client, "topics outside vitals/ are refused (Mqtt:PassThrough is off)");
            return;
        }

        // Nothing on a vitals topic is retained (MQTT 3.1.1 §3.3.1.3, MQTT 5.0 §3.3.1.3 let a server refuse to keep
        // it): a later subscriber must not receive an old reading.
        e.ApplicationMessage.Retain = false;
        // Readings are not relayed: the gateway is their consumer (only operators, with Mqtt:RelayToOperators).
        e.ProcessPublish = options.Value.RelayToOperators;
        try
        {
            if (!BrokerTopicRules.MayPublishReading(client.Principal, topic))
            {
                await RefuseImpersonationAsync(e, client, topic).ConfigureAwait(false);
                return;
            }
            var committed = await MqttPublish.QueueAsync(
                pipeline, topic, e.ClientId, e.ApplicationMessage.Payload.ToArray(), time.GetUtcNow(), _stopping.Token).ConfigureAwait(false);
            // Pipelining: the PUBACK (PUBREC) waits for the commit in the connection's sender, and MQTTnet goes on to the
            // connection's next publish, so one connection's messages share a group commit (PendingAcknowledgements).
            // Not when readings are relayed to operators: the relay happens when this returns, and a rejected message
            // must not be relayed. A QoS 0 publish has no acknowledgement to hold.
            if (!options.Value.RelayToOperators && e.ApplicationMessage.QualityOfServiceLevel != MqttQualityOfServiceLevel.AtMostOnce
                && client.Acknowledgements?.TryDefer(e.ApplicationMessage, committed) == true)
            {
                return;
            }
            var outcome = await committed.ConfigureAwait(false);
            if (outcome == IngestOutcome.Rejected)
            {
                // Kept in the rejected store; an MQTT 5 publisher also learns it from the PUBACK reason code.
                e.ProcessPublish = false;
                e.Response.ReasonCode = MqttPubAckReasonCode.PayloadFormatInvalid;
            }
        }
        catch (Exception ex)
        {
            // Not committed, so it must not be acknowledged: closing the connection withholds the PUBACK and the
            // publisher resends the message when it reconnects.
            IngestLog.NotAcknowledged(logger, SafeText.Escape(topic), ex.GetType().Name);
            e.ProcessPublish = false;
            e.CloseConnection = true;
        }
    }

    /// <summary>A device publishing under another device's id: kept as a rejection naming both, then refused.</summary>
    private async Task RefuseImpersonationAsync(InterceptingPublishEventArgs e, BrokerClient client, string topic)
    {
        var claimed = SafeText.Escape(BrokerTopicRules.ClaimedDevice(topic).ToString(), 64);
        var reason = $"client '{SafeText.Escape(e.ClientId, 64)}' authenticated as device '{client.Principal.Name}' claimed device '{claimed}'; "
            + $"a device may publish only under vitals/{client.Principal.Name}/";
        await pipeline.SubmitRejectedAsync(new MqttSource(topic, e.ClientId), e.ApplicationMessage.Payload.ToArray(), time.GetUtcNow(),
            new DecodeError("topic", reason), _stopping.Token).ConfigureAwait(false);
        RefusePublish(e, client, reason);
    }

    private void RefusePublish(InterceptingPublishEventArgs e, BrokerClient? client, string reason)
    {
        e.ProcessPublish = false;
        if (client?.Protocol == MqttProtocolVersion.V500 && e.ApplicationMessage.QualityOfServiceLevel != MqttQualityOfServiceLevel.AtMostOnce)
        {
            // MQTT 5.0 §3.4.2.1 / §3.5.2.1: PUBACK or PUBREC reason code 0x87 Not authorized.
            e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            e.Response.ReasonString = reason;
        }
        else
        {
            // MQTT 3.1.1 §3.3.5 [MQTT-3.3.5-2]: a server that does not authorize a PUBLISH cannot say so; it must
            // acknowledge positively or close the connection. A positive PUBACK would tell the device its reading
            // arrived, so the connection is closed (also for an MQTT 5 QoS 0 publish, which has no acknowledgement).
            e.CloseConnection = true;
        }
        IngestLog.PublishRefused(logger, SafeText.Escape(e.ClientId, 64), SafeText.Escape(e.ApplicationMessage.Topic, 200), reason);
    }

    private Task OnSubscribeAsync(InterceptingSubscriptionEventArgs e)
    {
        var filter = e.TopicFilter.Topic ?? "";
        var client = _connections?.Find(e.ClientId);
        var o = options.Value;
        if (client is null || !BrokerTopicRules.MaySubscribe(client.Principal, filter, o.RelayToOperators, o.PassThrough))
        {
            // MQTT 5.0 §3.9.3 SUBACK reason code 0x87 Not authorized; MQTT 3.1.1 §3.9.3 return code 0x80 Failure.
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            IngestLog.SubscriptionRefused(logger, SafeText.Escape(e.ClientId, 64), SafeText.Escape(filter, 200));
        }
        return Task.CompletedTask;
    }

    // Second line behind the subscription rule: a reading reaches only an operator's session, whatever it subscribed.
    private Task OnEnqueueAsync(InterceptingClientApplicationMessageEnqueueEventArgs e)
    {
        if (VitalsTopic.IsVitalsTopic(e.ApplicationMessage.Topic)
            && _connections?.Find(e.ReceiverClientId)?.Principal.Role != BrokerRole.Operator)
        {
            e.AcceptEnqueue = false;
        }
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is null) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _server.StopAsync().ConfigureAwait(false);
    }

    public void Dispose()
    {
        _server?.Dispose();
        _stopping.Dispose();
    }
}
