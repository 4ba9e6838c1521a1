using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Ingest.Mqtt;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Ingest.Mqtt;

/// <summary>
/// The embedded broker with a real MQTTnet client over loopback and the test as the store: it takes the queued messages
/// from the pipeline and decides when, and whether, each commit finishes. A connection with several QoS 1 publishes in
/// flight (MQTT 5.0 §4.9) has them all queued for the commit at once, and each PUBACK comes only after its own commit.
/// </summary>
public sealed class PipelinedAcknowledgementTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly IngestPipeline _pipeline;
    private readonly EmbeddedBroker _broker;
    private readonly int _port = FreePort.Next();

    public PipelinedAcknowledgementTests()
    {
        var ingest = Options.Create(new IngestOptions { TimeZone = "UTC" });
        _pipeline = new IngestPipeline(new MessageDecoder(ingest), ingest);
        var frontDoor = new MqttFrontDoor(Options.Create(new MqttLimitsOptions()), Options.Create(new MqttTlsOptions()),
            TimeProvider.System, NullLogger<MqttFrontDoor>.Instance);
        _broker = new EmbeddedBroker(_pipeline, new NoCredentials(), Options.Create(new MqttOptions { Port = _port }), frontDoor,
            TimeProvider.System, NullLogger<EmbeddedBroker>.Instance);
    }

    public Task InitializeAsync() => _broker.StartAsync(default);

    public async Task DisposeAsync()
    {
        await _broker.StopAsync(default);
        _broker.Dispose();
    }

    private async Task<IMqttClient> ConnectAsync()
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _port).WithClientId("pipelined")
            .WithProtocolVersion(MqttProtocolVersion.V500).WithTimeout(TimeSpan.FromSeconds(30)).Build());
        return client;
    }

    private static List<Task<MqttClientPublishResult>> PublishMany(IMqttClient client, int count) =>
        [.. Enumerable.Range(1, count).Select(i => client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic("vitals/thermo-p/body-temperature")
            .WithPayload(Encoding.UTF8.GetBytes($$"""{"value": 37.2, "unit": "Cel", "time": "{{Now.AddSeconds(-i):yyyy-MM-ddTHH:mm:ssK}}", "id": {{i}}}"""))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()))];

    /// <summary>The next <paramref name="count"/> messages queued for the commit, none of them committed yet.</summary>
    private async Task<List<PendingCommit>> QueuedAsync(int count)
    {
        var queued = new List<PendingCommit>();
        for (var i = 0; i < count; i++)
            queued.Add(await _pipeline.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        return queued;
    }

    [Fact]
    public async Task Publishes_in_flight_on_one_connection_are_queued_together_and_each_PUBACK_waits_for_its_commit()
    {
        using var client = await ConnectAsync();
        var publishes = PublishMany(client, 5);

        // All five reach the commit queue while none is committed: handled one at a time, the second would wait for
        // the first's commit and this would time out.
        var queued = await QueuedAsync(5);
        Assert.DoesNotContain(publishes, p => p.IsCompleted);
        Assert.Equal(["1", "2", "3", "4", "5"], queued.Select(q => ((IngestRecord.Accepted)q.Record).Reading.MeasurementId));

        queued[0].Committed.SetResult(IngestOutcome.Queued);
        Assert.True((await publishes[0].WaitAsync(TimeSpan.FromSeconds(10))).IsSuccess);
        await Task.Delay(200); // the absence of progress: only their commits can complete them
        Assert.DoesNotContain(publishes.Skip(1), p => p.IsCompleted);

        foreach (var q in queued.Skip(1)) q.Committed.SetResult(IngestOutcome.Queued);
        var results = await Task.WhenAll(publishes).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(results, r => Assert.True(r.IsSuccess, r.ReasonCode.ToString()));
    }

    [Fact]
    public async Task A_message_the_store_keeps_as_rejected_gets_its_reason_code_after_the_commit()
    {
        using var client = await ConnectAsync();
        var publishes = PublishMany(client, 2);
        var queued = await QueuedAsync(2);

        queued[0].Committed.SetResult(IngestOutcome.Rejected);
        queued[1].Committed.SetResult(IngestOutcome.Queued);

        var results = await Task.WhenAll(publishes).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([MqttClientPublishReasonCode.PayloadFormatInvalid, MqttClientPublishReasonCode.Success], results.Select(r => r.ReasonCode));
    }

    [Fact]
    public async Task A_failed_commit_withholds_its_PUBACK_and_every_later_one_and_closes_the_connection()
    {
        using var client = await ConnectAsync();
        var publishes = PublishMany(client, 3);
        var queued = await QueuedAsync(3);

        queued[0].Committed.SetResult(IngestOutcome.Queued);
        queued[1].Committed.SetException(new IOException("disk full"));
        queued[2].Committed.SetResult(IngestOutcome.Queued); // durable, but behind a message that is not

        Assert.True((await publishes[0].WaitAsync(TimeSpan.FromSeconds(10))).IsSuccess);
        foreach (var later in publishes.Skip(1))
        {
            // Failed by the closed connection, not by the test's patience running out.
            var failure = await Record.ExceptionAsync(() => later.WaitAsync(TimeSpan.FromSeconds(15)));
            Assert.NotNull(failure);
            Assert.IsNotType<TimeoutException>(failure);
        }
        await Eventually.TrueAsync(() => !client.IsConnected, TimeSpan.FromSeconds(10), "the client is disconnected");
    }

    [Fact]
    public void A_message_that_is_not_the_publish_being_dispatched_is_not_deferred()
    {
        var acknowledgements = new PendingAcknowledgements();
        var payload = new byte[] { 1, 2, 3 };
        acknowledgements.Dispatching(new MqttPublishPacket { Topic = "vitals/a/heart-rate", PacketIdentifier = 4, Payload = new(payload) });

        // Same text, another packet (a connection that took over the client id meanwhile): its caller must wait itself.
        var other = new MqttApplicationMessage { Topic = new string("vitals/a/heart-rate"), Payload = new(payload.ToArray()) };
        Assert.False(acknowledgements.TryDefer(other, Task.FromResult(IngestOutcome.Queued)));
    }

    private sealed class NoCredentials : IDeviceCredentials
    {
        public Task SetAsync(string deviceId, string passwordHash, DateTimeOffset at, CancellationToken ct) => throw new NotSupportedException();
        public Task<bool> RevokeAsync(string deviceId, CancellationToken ct) => throw new NotSupportedException();
        public Task<string?> FindHashAsync(string deviceId, CancellationToken ct) => Task.FromResult<string?>(null);
        public Task<IReadOnlyList<DeviceCredential>> ListAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<DeviceCredential>>([]);
    }
}
