using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Ingest.Mqtt;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Tests.Ingest.Mqtt;

/// <summary>
/// ExternalBrokerClient's receive path without a network: messages handed in as MQTTnet hands them over, reconnects
/// made deterministic, the test as the store deciding when a commit finishes.
/// </summary>
public sealed class ExternalBrokerAcknowledgementTests : IDisposable
{
    private readonly IngestPipeline _pipeline;
    private readonly ExternalBrokerClient _client;
    private readonly List<ushort> _acknowledged = [];

    public ExternalBrokerAcknowledgementTests()
    {
        var ingest = Options.Create(new IngestOptions { TimeZone = "UTC" });
        _pipeline = new IngestPipeline(new MessageDecoder(ingest), ingest);
        _client = new ExternalBrokerClient(
            _pipeline, Options.Create(new MqttOptions { Mode = MqttMode.External }), TimeProvider.System, NullLogger<ExternalBrokerClient>.Instance);
    }

    private MqttApplicationMessageReceivedEventArgs Received(ushort packetId, bool retain = false)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic("vitals/resp-u/respiratory-rate")
            .WithPayload(Encoding.UTF8.GetBytes($$"""{"value": 16, "time": "2026-11-25T08:30:00Z", "id": {{packetId}}}"""))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();
        var packet = new MqttPublishPacket
        {
            PacketIdentifier = packetId, Topic = message.Topic, QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce, Retain = retain,
        };
        return new MqttApplicationMessageReceivedEventArgs("gw", message, packet, (e, _) =>
        {
            lock (_acknowledged) _acknowledged.Add(e.PacketIdentifier);
            return Task.CompletedTask;
        });
    }

    private async Task<PendingCommit> NextCommitAsync() => await _pipeline.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));

    [Fact]
    public async Task A_commit_acknowledges_on_the_connection_it_came_on()
    {
        var e = Received(7);
        await _client.OnMessageAsync(e, CancellationToken.None);
        Assert.False(e.AutoAcknowledge);
        Assert.Empty(_acknowledged);

        (await NextCommitAsync()).Committed.SetResult(IngestOutcome.Queued);

        await Infrastructure.Eventually.TrueAsync(() => { lock (_acknowledged) return _acknowledged.Count == 1; }, TimeSpan.FromSeconds(5), "acknowledged");
        Assert.Equal([7], _acknowledged);
        Assert.Equal(0, _client.AcknowledgementsSkipped);
    }

    [Fact]
    public async Task A_commit_that_finishes_after_a_reconnect_is_not_acknowledged_there()
    {
        await _client.OnMessageAsync(Received(7), CancellationToken.None);
        var slow = await NextCommitAsync();

        // Reconnected while the commit ran: packet id 7 may now name another message of the new connection.
        await _client.SimulateReconnectAsync();
        await _client.OnMessageAsync(Received(7), CancellationToken.None);
        var redelivered = await NextCommitAsync();
        slow.Committed.SetResult(IngestOutcome.Queued);
        await Infrastructure.Eventually.TrueAsync(() => _client.AcknowledgementsSkipped == 1, TimeSpan.FromSeconds(5), "skipped");
        Assert.Empty(_acknowledged);

        redelivered.Committed.SetResult(IngestOutcome.Duplicate);
        await Infrastructure.Eventually.TrueAsync(() => { lock (_acknowledged) return _acknowledged.Count == 1; }, TimeSpan.FromSeconds(5), "the redelivered copy acknowledged");
        Assert.Equal(1, _client.AcknowledgementsSkipped);
    }

    [Fact]
    public async Task A_message_from_the_retained_store_is_acknowledged_and_not_ingested()
    {
        var e = Received(9, retain: true);
        await _client.OnMessageAsync(e, CancellationToken.None);

        Assert.True(e.AutoAcknowledge); // MQTTnet sends its PUBACK when the handler returns
        Assert.False(_pipeline.Reader.TryRead(out _));
        Assert.Equal(1, _client.RetainedIgnored);
    }

    [Fact]
    public void Subscriptions_ask_for_no_retained_messages_and_a_cleared_retain_flag()
    {
        var filter = ExternalBrokerClient.TopicFilter("$share/g/vitals/+/+");
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, filter.QualityOfServiceLevel);
        Assert.False(filter.RetainAsPublished);
        Assert.Equal(MqttRetainHandling.DoNotSendOnSubscribe, filter.RetainHandling);
    }

    [Fact]
    public async Task An_acknowledgement_waits_for_a_connect_under_way_and_is_then_dropped()
    {
        using var generations = new ConnectionGenerations();
        var before = generations.Current;
        var connecting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connect = generations.ConnectAsync(() => connecting.Task, CancellationToken.None);
        var acknowledged = 0;

        var ack = generations.AcknowledgeAsync(before, true, static up => up, (_, _) => { acknowledged++; return Task.CompletedTask; });
        await Task.Delay(100);
        Assert.False(ack.IsCompleted);

        connecting.SetResult();
        await connect;
        Assert.False(await ack);
        Assert.Equal(0, acknowledged);
        Assert.True(await generations.AcknowledgeAsync(generations.Current, true, static up => up, (_, _) => { acknowledged++; return Task.CompletedTask; }));
        Assert.False(await generations.AcknowledgeAsync(generations.Current, false, static up => up, (_, _) => { acknowledged++; return Task.CompletedTask; }));
        Assert.Equal(1, acknowledged);
    }

    [Fact]
    public async Task An_acknowledgement_stuck_on_a_dead_connection_is_cancelled_by_the_next_connect()
    {
        using var generations = new ConnectionGenerations();
        var stuck = generations.AcknowledgeAsync(generations.Current, 0, static _ => true,
            static (_, ct) => Task.Delay(Timeout.Infinite, ct));
        await Task.Delay(100);
        Assert.False(stuck.IsCompleted);

        // The connect would wait for ever behind the stuck PUBACK if it did not cancel it.
        await generations.ConnectAsync(() => Task.CompletedTask, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stuck);
        Assert.True(await generations.AcknowledgeAsync(generations.Current, 0, static _ => true, static (_, ct) => Task.Delay(1, ct)));
    }

    public void Dispose() => _client.Dispose();
}
