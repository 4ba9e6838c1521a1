using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>
/// A client of an existing broker (Mqtt:Mode=External). Subscribes with QoS 1 on a persistent session under a stable
/// client id and acknowledges each message only after it is committed (AutoAcknowledge off): if the gateway dies, the
/// broker redelivers what was not acknowledged when the same client id reconnects. A PUBACK goes only on the connection
/// its message came on (<see cref="ConnectionGenerations"/>); messages from the broker's retained store are not readings.
/// </summary>
public sealed class ExternalBrokerClient(
    IngestPipeline pipeline,
    IOptions<MqttOptions> options,
    TimeProvider time,
    ILogger<ExternalBrokerClient> logger) : BackgroundService
{
    // Set when the client stops; then the last message to settle completes _drained.
    private bool _stopping;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IMqttClient? _client;
    private readonly ConnectionGenerations _generations = new();
    private long _retainedIgnored;
    private long _acknowledgementsSkipped;
    // One per message received and not yet settled (acknowledged or given up), Mqtt:ReceiveMaximum in all: what MQTT
    // 5.0 §4.9 asks of the broker, kept here too because a broker may not (Debian's mosquitto 2.0.11 stops counting once
    // PUBACKs flow). A message over the limit waits in the MQTT client, as its packet, instead of entering the pipeline.
    // All slots free means nothing is in flight: shutdown waits for that.
    private readonly int _receiveMaximum = options.Value.ReceiveMaximum;
    private readonly SemaphoreSlim _slots = new(options.Value.ReceiveMaximum, options.Value.ReceiveMaximum);
    private int _overrunReported;
    private readonly TaskCompletionSource _firstConnect = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the first subscription is in place (used by tests and start-up ordering).</summary>
    public Task Connected => _firstConnect.Task;

    /// <summary>Connected to the broker now (the readiness check).</summary>
    public bool IsConnected => _client?.IsConnected == true;

    /// <summary>Messages delivered from the broker's retained store, acknowledged and not ingested.</summary>
    internal long RetainedIgnored => Interlocked.Read(ref _retainedIgnored);

    /// <summary>Commits whose PUBACK was not sent because their connection had gone.</summary>
    internal long AcknowledgementsSkipped => Interlocked.Read(ref _acknowledgementsSkipped);

    /// <summary>Tests: start a new connection generation as a reconnect does, without a network.</summary>
    internal Task SimulateReconnectAsync() => _generations.ConnectAsync(() => Task.CompletedTask, CancellationToken.None);

    public override void Dispose()
    {
        // _slots is not disposed: a commit that ends after shutdown gave up waiting still releases its slot, and a
        // SemaphoreSlim whose wait handle was never asked for holds nothing to free.
        _generations.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        using var client = new MqttClientFactory().CreateMqttClient();
        _client = client;
        client.ApplicationMessageReceivedAsync += e => OnMessageAsync(e, stoppingToken);
        var endpoint = $"{o.Host}:{o.Port}";
        var failures = 0;
        // Full jitter so a fleet of gateways does not reconnect in lock-step after a broker restart; the 100 ms floor
        // keeps a refused connection from spinning.
        var ceiling = o.ReconnectMaxDelay > TimeSpan.FromMilliseconds(500) ? o.ReconnectMaxDelay : TimeSpan.FromMilliseconds(500);
        var backoff = new ExponentialBackoff(TimeSpan.FromMilliseconds(500), ceiling);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!client.IsConnected)
                {
                    MqttClientConnectResult? connected = null;
                    await _generations.ConnectAsync(async () => connected = await client.ConnectAsync(BuildClientOptions(o), stoppingToken).ConfigureAwait(false), stoppingToken)
                        .ConfigureAwait(false);
                    // A CONNACK with an error (0x86 bad user name or password, 0x87 not authorized; MQTT 5.0 §3.2.2.2)
                    // is a result, not an exception: say so rather than fail later on "not connected".
                    if (connected is { ResultCode: not MqttClientConnectResultCode.Success } refusedConnect)
                        throw new InvalidOperationException($"broker refused the connection: {refusedConnect.ResultCode}");
                    var filters = SubscriptionFilters(o);
                    var subscribe = new MqttClientSubscribeOptionsBuilder();
                    foreach (var f in filters)
                        subscribe.WithTopicFilter(TopicFilter(f));
                    var result = await client.SubscribeAsync(subscribe.Build(), stoppingToken).ConfigureAwait(false);
                    var refused = result.Items.FirstOrDefault(i => (int)i.ResultCode > 2);
                    if (refused is not null)
                        throw new InvalidOperationException($"broker refused subscription {refused.TopicFilter.Topic}: {refused.ResultCode}");
                    IngestLog.ClientConnected(logger, endpoint, o.ClientId, string.Join(", ", filters));
                    _firstConnect.TrySetResult();
                    failures = 0;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(500), time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                failures++;
                var delay = backoff.Delay(failures - 1) + TimeSpan.FromMilliseconds(100);
                IngestLog.ClientDisconnected(logger, endpoint, ex.Message, delay);
                try { await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false); }
                catch (OperationCanceledException) { break; }
            }
        }

        // Let commits under way finish and be acknowledged before the session closes (the ingest writer settles
        // every queued commit when it stops, so this waits for as long as the last commit takes).
        Volatile.Write(ref _stopping, true);
        if (_slots.CurrentCount == _receiveMaximum) _drained.TrySetResult();
        await _drained.Task.WaitAsync(TimeSpan.FromSeconds(10), time, CancellationToken.None)
            .ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        if (client.IsConnected)
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
    }

    internal async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e, CancellationToken stoppingToken)
    {
        var topic = e.ApplicationMessage.Topic;
        if (!VitalsTopic.IsVitalsTopic(topic)) return;

        if (e.ApplicationMessage.Retain)
        {
            // We subscribe with Retain As Published = 0, so the broker clears RETAIN on every message it forwards live
            // (MQTT 5.0 §3.3.1.3, §3.8.3.1): RETAIN = 1 means the copy kept in the broker's retained store, sent because
            // a subscription was made (Retain Handling 2 asks for none, this is for a broker that sends them anyway).
            // That reading was ingested when it was published, or predates this gateway; ingesting it on every
            // reconnect would file it again. Acknowledged (AutoAcknowledge, when this handler returns), not committed.
            IngestLog.RetainedIgnored(logger, topic, Interlocked.Increment(ref _retainedIgnored));
            return;
        }

        // Acknowledge later, from the commit: returning once the message is queued lets the next message in while this
        // one commits, so one connection still feeds a whole batch to the group commit; a full queue holds this
        // client's next message back (back-pressure). The generation is read here, on the client's receive path, so
        // it is the generation of the connection this message came on.
        e.AutoAcknowledge = false;
        if (!_slots.Wait(0))
        {
            if (Interlocked.Exchange(ref _overrunReported, 1) == 0)
                IngestLog.BrokerExceededReceiveMaximum(logger, _receiveMaximum);
            try { await _slots.WaitAsync(stoppingToken).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; } // stopping: not acknowledged, redelivered to the session
        }
        var generation = _generations.Current;
        Task<IngestOutcome> committed;
        try
        {
            committed = await MqttPublish.QueueAsync(
                pipeline, topic, e.ClientId, e.ApplicationMessage.Payload.ToArray(), time.GetUtcNow(), stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await NotAcknowledgedAsync(topic, generation, ex, stoppingToken).ConfigureAwait(false);
            Settled();
            return;
        }
        _ = AcknowledgeWhenCommittedAsync(committed, e, topic, generation, stoppingToken);
    }

    private async Task AcknowledgeWhenCommittedAsync(
        Task<IngestOutcome> committed, MqttApplicationMessageReceivedEventArgs e, string topic, long generation, CancellationToken ct)
    {
        try
        {
            await committed.ConfigureAwait(false);
            var sent = await _generations.AcknowledgeAsync(
                generation,
                (Client: this, Message: e),
                // No client at all only when a test feeds messages in without a network.
                static s => s.Client._client is not { IsConnected: false },
                static (s, ct) => s.Message.AcknowledgeAsync(ct)).ConfigureAwait(false);
            if (!sent)
                IngestLog.AcknowledgementSkipped(logger, topic, Interlocked.Increment(ref _acknowledgementsSkipped));
        }
        catch (Exception ex)
        {
            await NotAcknowledgedAsync(topic, generation, ex, ct).ConfigureAwait(false);
        }
        finally
        {
            Settled();
        }
    }

    /// <summary>
    /// Not acknowledged: the broker keeps the message in our persistent session and redelivers it on reconnect. Only a
    /// message of the current connection needs that reconnect; one of an earlier connection was redelivered already
    /// when the session resumed.
    /// </summary>
    private async Task NotAcknowledgedAsync(string topic, long generation, Exception ex, CancellationToken ct)
    {
        IngestLog.NotAcknowledged(logger, SafeText.Escape(topic), ex.GetType().Name);
        if (!ct.IsCancellationRequested && generation == _generations.Current && _client is { IsConnected: true } c)
            await c.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>A received message is acknowledged, or will not be: shutdown stops waiting for it.</summary>
    private void Settled()
    {
        // Release returns the count before it: one less than all means this was the last message in flight.
        if (_slots.Release() == _receiveMaximum - 1 && Volatile.Read(ref _stopping))
            _drained.TrySetResult();
    }

    /// <summary>
    /// QoS 1; Retain As Published 0, so RETAIN on receipt marks a retained-store copy (MQTT 5.0 §3.3.1.3); Retain
    /// Handling 2, "do not send retained messages at the time of the subscribe" (§3.8.3.1), since the subscription is
    /// made again on every reconnect.
    /// </summary>
    internal static MqttTopicFilter TopicFilter(string filter) => new MqttTopicFilterBuilder()
        .WithTopic(filter)
        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
        .WithRetainAsPublished(false)
        .WithRetainHandling(MqttRetainHandling.DoNotSendOnSubscribe)
        .Build();

    internal static IReadOnlyList<string> SubscriptionFilters(MqttOptions o)
    {
        var prefix = o.SharedGroup is null ? "" : $"$share/{o.SharedGroup}/";
        return [prefix + VitalsTopic.KindFilter, prefix + VitalsTopic.GattFilter];
    }

    private static MqttClientOptions BuildClientOptions(MqttOptions o)
    {
        var b = new MqttClientOptionsBuilder()
            .WithTcpServer(o.Host, o.Port)
            .WithClientId(o.ClientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            // Persistent session: unacknowledged messages survive our restarts and come back to this client id.
            .WithCleanStart(false)
            .WithSessionExpiryInterval(uint.MaxValue)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithReceiveMaximum((ushort)o.ReceiveMaximum);
        if (o.Username is not null) b.WithCredentials(o.Username, o.Password);
        if (o.UseTls)
            b.WithTlsOptions(t =>
            {
                t.UseTls();
                if (o.CaCertificatePath is { Length: > 0 } ca)
                    t.WithTrustChain([X509CertificateLoader.LoadCertificateFromFile(ca)]);
                if (o.AllowUntrustedCertificates) t.WithCertificateValidationHandler(_ => true);
            });
        return b.Build();
    }
}
