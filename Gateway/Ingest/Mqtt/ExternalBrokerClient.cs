using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>
/// A client of an existing broker (Mqtt:Mode=External). Subscribes with QoS 1 on a persistent session under a stable
/// client id and acknowledges each message only after it is committed (AutoAcknowledge off): if the gateway dies, the
/// broker redelivers what was not acknowledged when the same client id reconnects.
/// </summary>
public sealed class ExternalBrokerClient(
    IngestPipeline pipeline,
    IOptions<MqttOptions> options,
    TimeProvider time,
    ILogger<ExternalBrokerClient> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();
    private IMqttClient? _client;
    private readonly TaskCompletionSource _firstConnect = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the first subscription is in place (used by tests and start-up ordering).</summary>
    public Task Connected => _firstConnect.Task;

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
                    await client.ConnectAsync(BuildClientOptions(o), stoppingToken).ConfigureAwait(false);
                    var filters = SubscriptionFilters(o);
                    var subscribe = new MqttClientSubscribeOptionsBuilder();
                    foreach (var f in filters)
                        subscribe.WithTopicFilter(f, MqttQualityOfServiceLevel.AtLeastOnce);
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

        // Let commits under way finish and be acknowledged before the session closes.
        await Task.WhenAll(_inFlight.Keys).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None)
            .ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        if (client.IsConnected)
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e, CancellationToken stoppingToken)
    {
        var topic = e.ApplicationMessage.Topic;
        if (!VitalsTopic.IsVitalsTopic(topic)) return Task.CompletedTask;

        // Acknowledge later, from the commit: returning at once lets the next message in while this one commits,
        // so one connection still feeds a whole batch to the group commit.
        e.AutoAcknowledge = false;
        var task = CommitThenAcknowledgeAsync(e, topic, time.GetUtcNow(), stoppingToken);
        _inFlight.TryAdd(task, 0);
        _ = task.ContinueWith(t => _inFlight.TryRemove(t, out _), TaskScheduler.Default);
        return Task.CompletedTask;
    }

    private async Task CommitThenAcknowledgeAsync(MqttApplicationMessageReceivedEventArgs e, string topic, DateTimeOffset receivedAt, CancellationToken ct)
    {
        try
        {
            await MqttPublish.SubmitAsync(pipeline, topic, e.ClientId, e.ApplicationMessage.Payload.ToArray(), receivedAt, ct).ConfigureAwait(false);
            await e.AcknowledgeAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Not acknowledged: the broker keeps it in our persistent session and redelivers it on reconnect.
            IngestLog.NotAcknowledged(logger, SafeText.Escape(topic), ex.GetType().Name);
            if (!ct.IsCancellationRequested && _client is { IsConnected: true } c)
                await c.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
        }
    }

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
            .WithTimeout(TimeSpan.FromSeconds(10));
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
