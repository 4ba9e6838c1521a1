using System.Buffers;
using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Protocol;
using MQTTnet.Server;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>
/// The in-process broker (Mqtt:Mode=Embedded). Every publish under <c>vitals/</c> is decoded and committed inside the
/// publish interceptor: MQTTnet sends the PUBACK only after the interceptor returns, so a publisher's QoS 1 publish is
/// acknowledged exactly when its reading is durable. Other topics pass through like any broker's.
/// </summary>
public sealed class EmbeddedBroker(
    IngestPipeline pipeline,
    IOptions<MqttOptions> options,
    MqttFrontDoor frontDoor,
    TimeProvider time,
    ILogger<EmbeddedBroker> logger) : IHostedService, IDisposable
{
    private MqttServer? _server;
    private readonly CancellationTokenSource _stopping = new();

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
        // The front door listens instead of MQTTnet's TCP adapter: TLS, and the limits MQTTnet's reader cannot apply.
        frontDoor.Configure(serverOptions);
        _server = new MqttServerFactory().CreateMqttServer(serverOptions, [frontDoor]);
        _server.InterceptingPublishAsync += OnPublishAsync;
        await _server.StartAsync().ConfigureAwait(false);
        frontDoor.Attach(_server);
        IngestLog.BrokerStarted(logger, frontDoor.Endpoints);
    }

    private async Task OnPublishAsync(InterceptingPublishEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        if (!VitalsTopic.IsVitalsTopic(topic)) return;

        try
        {
            var outcome = await MqttPublish.SubmitAsync(
                pipeline, topic, e.ClientId, e.ApplicationMessage.Payload.ToArray(), time.GetUtcNow(), _stopping.Token).ConfigureAwait(false);
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
