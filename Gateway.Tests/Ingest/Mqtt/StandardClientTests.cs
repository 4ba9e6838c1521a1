using MQTTnet;
using MQTTnet.Formatter;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Ingest.Mqtt;

/// <summary>
/// Every standard MQTT client gets in with its defaults (a zero-length client id, MQTT 3.1.1 or 5, QoS 0-2), and with
/// credentials required only with valid ones. Readings of unbound devices land in quarantine: that is where they are
/// counted here.
/// </summary>
public sealed class StandardClientTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static readonly Dictionary<string, string?> CredentialsRequired = new() { ["Mqtt:Authentication"] = "Required" };

    private static async Task AssertEachReadingCommittedOnceAsync(InProcessGateway gateway, string deviceId, int expected = 6)
    {
        var stored = await Eventually.ValueAsync(
            () => gateway.Store.Quarantine.ListQuarantineAsync(deviceId, 100, default), r => r.Count >= expected, Patience);
        // A moment more: a duplicate would arrive right behind.
        await Task.Delay(200);
        stored = await gateway.Store.Quarantine.ListQuarantineAsync(deviceId, 100, default);
        Assert.Equal(expected, stored.Count);
        Assert.Empty(await gateway.Store.Rejected.ListRejectedAsync(10, default));
    }

    [Theory]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task Mosquitto_pub_without_a_client_id_publishes_every_kind(string protocol)
    {
        await using var gateway = await InProcessGateway.StartAsync();
        var device = "mosq-" + protocol;
        foreach (var r in MqttClients.OneOfEachKind(100))
            Assert.Equal(0, await MqttClients.MosquittoPubAsync(gateway.MqttPort, protocol, r.Topic(device), r.Payload, r.Qos));

        await AssertEachReadingCommittedOnceAsync(gateway, device);
    }

    [Fact]
    public async Task Paho_with_its_defaults_publishes_every_kind()
    {
        await using var gateway = await InProcessGateway.StartAsync();

        var (exit, output) = await MqttClients.PahoPublishAsync(gateway.MqttPort, "paho-1", MqttClients.OneOfEachKind(200));

        Assert.True(exit == 0, output);
        await AssertEachReadingCommittedOnceAsync(gateway, "paho-1");
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task MQTTnet_without_a_client_id_publishes_every_kind_and_MQTT_5_learns_its_assigned_id(MqttProtocolVersion protocol)
    {
        await using var gateway = await InProcessGateway.StartAsync();
        var device = "mqttnet-" + protocol;
        var client = new MqttClientFactory().CreateMqttClient();
        using (client)
        {
            var connack = await client.ConnectAsync(MqttClients.Options(gateway.MqttPort, protocol).Build());
            if (protocol == MqttProtocolVersion.V500)
                Assert.StartsWith("auto-", connack.AssignedClientIdentifier, StringComparison.Ordinal);
            foreach (var r in MqttClients.OneOfEachKind(300))
            {
                var result = await MqttClients.PublishAsync(client, r.Topic(device), r.Payload, r.Qos);
                Assert.True(result.IsSuccess, result.ReasonCode.ToString());
            }
        }

        await AssertEachReadingCommittedOnceAsync(gateway, device);
    }

    [Fact]
    public async Task With_credentials_required_every_client_gets_in_with_them_and_none_without()
    {
        await using var gateway = await InProcessGateway.StartAsync(settings: CredentialsRequired);
        var readings = MqttClients.OneOfEachKind(400);
        var heart = readings[4];

        foreach (var protocol in new[] { "mqttv311", "mqttv5" })
        {
            var device = "mosq-auth-" + protocol;
            var creds = await MqttClients.IssueAsync(gateway, device);
            Assert.NotEqual(0, await MqttClients.MosquittoPubAsync(gateway.MqttPort, protocol, heart.Topic(device), heart.Payload, 1));
            Assert.NotEqual(0, await MqttClients.MosquittoPubAsync(gateway.MqttPort, protocol, heart.Topic(device), heart.Payload, 1, (device, "wrong")));
            foreach (var r in readings)
                Assert.Equal(0, await MqttClients.MosquittoPubAsync(gateway.MqttPort, protocol, r.Topic(device), r.Payload, r.Qos, creds));
            await AssertEachReadingCommittedOnceAsync(gateway, device);
        }

        var paho = await MqttClients.IssueAsync(gateway, "paho-auth");
        Assert.Equal(3, (await MqttClients.PahoPublishAsync(gateway.MqttPort, "paho-auth", [heart])).ExitCode);
        var (exit, output) = await MqttClients.PahoPublishAsync(gateway.MqttPort, "paho-auth", readings, paho);
        Assert.True(exit == 0, output);
        await AssertEachReadingCommittedOnceAsync(gateway, "paho-auth");

        var mqttnet = await MqttClients.IssueAsync(gateway, "mqttnet-auth");
        foreach (var protocol in new[] { MqttProtocolVersion.V311, MqttProtocolVersion.V500 })
        {
            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword,
                await MqttClients.ConnectResultAsync(MqttClients.Options(gateway.MqttPort, protocol).Build()));
            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword,
                await MqttClients.ConnectResultAsync(MqttClients.Options(gateway.MqttPort, protocol, "", ("mqttnet-auth", "guess")).Build()));
        }
        using (var client = await MqttClients.ConnectAsync(gateway.MqttPort, MqttProtocolVersion.V500, "", mqttnet))
        {
            foreach (var r in readings)
                Assert.True((await MqttClients.PublishAsync(client, r.Topic("mqttnet-auth"), r.Payload, r.Qos)).IsSuccess);
        }
        await AssertEachReadingCommittedOnceAsync(gateway, "mqttnet-auth");
    }
}
