using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.Infrastructure;

using Vitals.Gateway.Ingest.Mqtt;

namespace Vitals.Gateway.Tests.Ingest.Mqtt;

/// <summary>The embedded MQTTnet broker with a real MQTTnet client over loopback TCP.</summary>
public sealed class EmbeddedBrokerTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static string Temperature(int id, decimal value = 37.2m) =>
        $$"""{"value": {{value}}, "unit": "Cel", "time": "{{Now.AddSeconds(-id):yyyy-MM-ddTHH:mm:ssK}}", "id": {{id}}}""";

    private static async Task<IMqttClient> ConnectAsync(int port, string clientId)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port).WithClientId(clientId).WithProtocolVersion(MqttProtocolVersion.V500).Build());
        return client;
    }

    private static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, string topic, string payload) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(Encoding.UTF8.GetBytes(payload))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

    [Fact]
    public async Task A_reading_is_committed_before_its_PUBACK_arrives()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        await gateway.Store.Bindings.BindAsync("thermo-1", null, PatientId.Parse("Patient/p1"), Some.BoundLongAgo, default);
        using var client = await ConnectAsync(gateway.MqttPort, "device-thermo-1");

        var result = await PublishAsync(client, "vitals/thermo-1/body-temperature", Temperature(1));

        Assert.True(result.IsSuccess, result.ReasonCode.ToString());
        // No waiting: the PUBACK itself is the proof of durability, so the reading must already be in the outbox.
        var status = await gateway.Store.Status.GetOutboxStatusAsync(default);
        Assert.Equal(1, status.Pending + status.Delivered);
    }

    [Fact]
    public async Task Bad_input_is_kept_with_its_reason_and_the_publisher_is_told()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        using var client = await ConnectAsync(gateway.MqttPort, "device-bp-1");

        var result = await PublishAsync(client, "vitals/bp-1/blood-pressure", """{"systolic": 120, "diastolic": 130, "unit": "mmHg"}""");

        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, result.ReasonCode);
        var rejected = Assert.Single(await gateway.Store.Rejected.ListRejectedAsync(10, default));
        Assert.Equal("mqtt vitals/bp-1/blood-pressure from client device-bp-1", rejected.Origin);
        Assert.Contains("diastolic", rejected.Reason, StringComparison.Ordinal);
        Assert.Equal("""{"systolic": 120, "diastolic": 130, "unit": "mmHg"}""", Encoding.UTF8.GetString(rejected.Payload));
    }

    [Fact]
    public async Task An_oversize_payload_is_rejected_and_only_its_first_16_KiB_are_kept()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        using var client = await ConnectAsync(gateway.MqttPort, "device-big");
        var payload = "{\"value\": 37.2, \"note\": \"" + new string('x', 100 * 1024) + "\"}";

        var result = await PublishAsync(client, "vitals/thermo-big/body-temperature", payload);

        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, result.ReasonCode);
        var rejected = Assert.Single(await gateway.Store.Rejected.ListRejectedAsync(10, default));
        Assert.Contains(Encoding.UTF8.GetByteCount(payload).ToString(System.Globalization.CultureInfo.InvariantCulture), rejected.Reason, StringComparison.Ordinal);
        Assert.Equal(16384, rejected.Payload.Length);
    }

    [Fact]
    public async Task An_unbound_device_is_quarantined_and_released_on_bind()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        using var client = await ConnectAsync(gateway.MqttPort, "device-scale-9");

        Assert.True((await PublishAsync(client, "vitals/scale-9/body-weight", """{"value": 72.4, "unit": "kg", "time": "2026-11-25T07:00:00+01:00"}""")).IsSuccess);
        Assert.Single(await gateway.Store.Quarantine.ListQuarantineAsync("scale-9", 10, default));

        var released = await gateway.Store.Bindings.BindAsync("scale-9", null, PatientId.Parse("Patient/p9"), Some.BoundLongAgo, default);

        Assert.Equal(1, released);
        Assert.Empty(await gateway.Store.Quarantine.ListQuarantineAsync("scale-9", 10, default));
    }

    [Fact]
    public async Task A_flood_of_bad_messages_does_not_stall_a_good_publisher()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        await gateway.Store.Bindings.BindAsync("thermo-good", null, PatientId.Parse("Patient/p2"), Some.BoundLongAgo, default);
        using var bad = await ConnectAsync(gateway.MqttPort, "bad-publisher");
        using var good = await ConnectAsync(gateway.MqttPort, "good-publisher");

        var flood = Task.WhenAll(Enumerable.Range(0, 300).Select(i => PublishAsync(bad, "vitals/junk/body-temperature", "{not json " + i)));
        var goodResults = await Task.WhenAll(Enumerable.Range(1, 50).Select(i => PublishAsync(good, "vitals/thermo-good/body-temperature", Temperature(i))));
        await flood;

        Assert.All(goodResults, r => Assert.True(r.IsSuccess, r.ReasonCode.ToString()));
        var status = await gateway.Store.Status.GetOutboxStatusAsync(default);
        Assert.Equal(50, status.Pending + status.Delivered);
        Assert.Equal(300, status.Rejected);
    }

    [Fact]
    public async Task A_resent_measurement_is_stored_once()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        await gateway.Store.Bindings.BindAsync("thermo-2", null, PatientId.Parse("Patient/p3"), Some.BoundLongAgo, default);
        using var client = await ConnectAsync(gateway.MqttPort, "device-thermo-2");

        await PublishAsync(client, "vitals/thermo-2/body-temperature", Temperature(7));
        await PublishAsync(client, "vitals/thermo-2/body-temperature", Temperature(7));

        var status = await gateway.Store.Status.GetOutboxStatusAsync(default);
        Assert.Equal(1, status.Pending + status.Delivered);
    }

    [Fact]
    public async Task Other_topics_pass_through_like_any_broker_when_pass_through_is_on()
    {
        await using var gateway = await InProcessGateway.StartAsync(settings: new Dictionary<string, string?> { ["Mqtt:PassThrough"] = "true" });
        using var subscriber = await ConnectAsync(gateway.MqttPort, "subscriber");
        var received = new TaskCompletionSource<string>();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            received.TrySetResult(e.ApplicationMessage.ConvertPayloadToString());
            return Task.CompletedTask;
        };
        await subscriber.SubscribeAsync("home/#", MqttQualityOfServiceLevel.AtLeastOnce);
        using var publisher = await ConnectAsync(gateway.MqttPort, "publisher");

        await PublishAsync(publisher, "home/kitchen/light", "on");

        Assert.Equal("on", await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, (await gateway.Store.Status.GetOutboxStatusAsync(default)).Rejected);
    }
}
