using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Vitals.Gateway.Ingest.Mqtt;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Ingest.Mqtt;

/// <summary>What the embedded broker lets a connected client do: publish its own readings only, never receive any.</summary>
public sealed class BrokerRulesTests
{
    private const string OperatorSecret = "operator-secret";

    private static Dictionary<string, string?> Required(bool relay = false, string? operatorHash = null) => new()
    {
        ["Mqtt:Authentication"] = "Required",
        ["Mqtt:Operators:0:Username"] = "nurse-station",
        ["Mqtt:Operators:0:PasswordHash"] = operatorHash ?? MosquittoPasswordHash.Create(OperatorSecret, 1000).ToString(),
        ["Mqtt:RelayToOperators"] = relay ? "true" : "false",
    };

    /// <summary>The operator's hash as mosquitto_passwd writes it (the part after "nurse-station:").</summary>
    private static async Task<string> MosquittoPasswdHashAsync()
    {
        var file = Path.Combine(Path.GetTempPath(), "vg-passwd-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await using (var p = ProcessRunner.Start("mosquitto_passwd", ["-b", "-c", file, "nurse-station", OperatorSecret], name: "mosquitto_passwd"))
                Assert.Equal(0, await p.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            return (await File.ReadAllTextAsync(file)).Trim().Split(':', 2)[1];
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static SampleReading Heart(int id) => MqttClients.OneOfEachKind(id)[4];

    [Fact]
    public async Task A_device_publishing_under_another_devices_id_is_refused_and_recorded()
    {
        await using var gateway = await InProcessGateway.StartAsync(settings: Required());
        var a = await MqttClients.IssueAsync(gateway, "cuff-a");
        var reading = Heart(1);

        using (var client = await MqttClients.ConnectAsync(gateway.MqttPort, MqttProtocolVersion.V500, "client-a", a))
        {
            var result = await MqttClients.PublishAsync(client, reading.Topic("cuff-b"), reading.Payload, 1);
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, result.ReasonCode);
            var qos2 = await MqttClients.PublishAsync(client, Heart(2).Topic("cuff-b"), Heart(2).Payload, 2);
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, qos2.ReasonCode);
            // Its own readings still go through on the same connection.
            Assert.True((await MqttClients.PublishAsync(client, reading.Topic("cuff-a"), reading.Payload, 1)).IsSuccess);
        }
        // MQTT 3.1.1 has no negative PUBACK: the connection is closed instead, and mosquitto_pub fails.
        Assert.NotEqual(0, await MqttClients.MosquittoPubAsync(gateway.MqttPort, "mqttv311", Heart(3).Topic("cuff-b"), Heart(3).Payload, 1, a));

        Assert.Empty(await gateway.Store.Quarantine.ListQuarantineAsync("cuff-b", 10, default));
        Assert.Single(await gateway.Store.Quarantine.ListQuarantineAsync("cuff-a", 10, default));
        var rejected = await gateway.Store.Rejected.ListRejectedAsync(10, default);
        Assert.Equal(3, rejected.Count);
        var first = rejected.Single(r => System.Text.Encoding.UTF8.GetString(r.Payload) == reading.Payload);
        Assert.Equal("mqtt vitals/cuff-b/heart-rate from client client-a", first.Origin);
        Assert.Contains("client 'client-a' authenticated as device 'cuff-a' claimed device 'cuff-b'", first.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nobody_but_an_operator_with_relay_on_can_subscribe_to_readings_and_nothing_arrives()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        using var subscriber = await MqttClients.ConnectAsync(gateway.MqttPort, MqttProtocolVersion.V500, "snoop");
        var received = 0;
        subscriber.ApplicationMessageReceivedAsync += _ =>
        {
            Interlocked.Increment(ref received);
            return Task.CompletedTask;
        };
        foreach (var filter in new[] { "#", "vitals/#", "+/+/+", "vitals/thermo-1/body-temperature" })
        {
            var sub = await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build());
            Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, Assert.Single(sub.Items).ResultCode);
        }

        // MQTT 3.1.1 §3.9.3: no reason codes, only the return code 0x80 Failure.
        using (var v311 = await MqttClients.ConnectAsync(gateway.MqttPort, MqttProtocolVersion.V311))
        {
            var sub = await v311.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("vitals/#").Build());
            Assert.Equal(MqttClientSubscribeResultCode.UnspecifiedError, Assert.Single(sub.Items).ResultCode);
        }

        using var device = await MqttClients.ConnectAsync(gateway.MqttPort, MqttProtocolVersion.V500);
        foreach (var r in MqttClients.OneOfEachKind(10))
            Assert.True((await MqttClients.PublishAsync(device, r.Topic("thermo-1"), r.Payload, 1)).IsSuccess);
        // mosquitto_sub without -i: the SUBACK says failure (MQTT 3.1.1: 0x80, MQTT 5: 0x87) and it gets nothing either.
        var port = gateway.MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var sub311 = ProcessRunner.Start("mosquitto_sub", ["-h", "127.0.0.1", "-p", port, "-V", "mqttv311", "-t", "vitals/#", "-v"], name: "mosquitto_sub");
        await using var sub5 = ProcessRunner.Start("mosquitto_sub", ["-h", "127.0.0.1", "-p", port, "-V", "mqttv5", "-t", "#", "-v"], name: "mosquitto_sub");
        await Task.Delay(1000);
        Assert.True((await MqttClients.PublishAsync(device, Heart(50).Topic("thermo-1"), Heart(50).Payload, 1)).IsSuccess);
        await Task.Delay(1000);

        Assert.Equal(0, received);
        Assert.Empty(sub311.StandardOutputLines);
        Assert.Empty(sub5.StandardOutputLines);
        Assert.Equal(7, (await gateway.Store.Quarantine.ListQuarantineAsync("thermo-1", 100, default)).Count);
    }

    [Fact]
    public async Task A_retained_reading_is_not_kept_and_an_operator_with_relay_on_gets_live_readings_only()
    {
        await using var gateway = await InProcessGateway.StartAsync(settings: Required(relay: true, operatorHash: await MosquittoPasswdHashAsync()));
        var creds = await MqttClients.IssueAsync(gateway, "scale-1");
        using var device = await MqttClients.ConnectAsync(gateway.MqttPort, MqttProtocolVersion.V500, "scale-client", creds);
        var readings = MqttClients.OneOfEachKind(20);
        Assert.True((await MqttClients.PublishAsync(device, readings[2].Topic("scale-1"), readings[2].Payload, 1, retain: true)).IsSuccess);

        using var op = await MqttClients.ConnectAsync(gateway.MqttPort, MqttProtocolVersion.V500, "station", ("nurse-station", OperatorSecret));
        var received = new List<MqttApplicationMessage>();
        op.ApplicationMessageReceivedAsync += e =>
        {
            lock (received) received.Add(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        var sub = await op.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("vitals/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, Assert.Single(sub.Items).ResultCode);
        // The operator's standard tool, with its mosquitto_passwd credentials, sees the same.
        await using var opSub = ProcessRunner.Start("mosquitto_sub", ["-h", "127.0.0.1", "-p", gateway.MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-V", "mqttv5", "-u", "nurse-station", "-P", OperatorSecret, "-t", "vitals/#", "-v"], name: "mosquitto_sub");
        await Task.Delay(1000);
        lock (received) Assert.Empty(received);
        Assert.Empty(opSub.StandardOutputLines);

        Assert.True((await MqttClients.PublishAsync(device, readings[0].Topic("scale-1"), readings[0].Payload, 1, retain: true)).IsSuccess);
        await Eventually.TrueAsync(() => { lock (received) return received.Count == 1; }, TimeSpan.FromSeconds(10), "the operator receives the live reading");
        lock (received) Assert.False(received[0].Retain);
        var line = await opSub.WaitForLineAsync(l => l.StartsWith("vitals/scale-1/body-temperature ", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.EndsWith(readings[0].Payload, line, StringComparison.Ordinal);
        Assert.Single(opSub.StandardOutputLines);

        // A device still may not subscribe, relay or not.
        var deviceSub = await device.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("vitals/#").Build());
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, Assert.Single(deviceSub.Items).ResultCode);
    }

    [Fact]
    public async Task A_will_on_a_vitals_topic_and_a_takeover_by_another_user_are_refused_at_connect()
    {
        await using var gateway = await InProcessGateway.StartAsync(settings: Required());
        var a = await MqttClients.IssueAsync(gateway, "dev-a");
        var b = await MqttClients.IssueAsync(gateway, "dev-b");

        var will = MqttClients.Options(gateway.MqttPort, MqttProtocolVersion.V500, "willer", a)
            .WithWillTopic("vitals/dev-a/heart-rate").WithWillPayload("""{"value": 60}""").Build();
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await MqttClients.ConnectResultAsync(will));
        var otherWill = MqttClients.Options(gateway.MqttPort, MqttProtocolVersion.V311, "willer", a).WithWillTopic("status/dev-a").WithWillPayload("gone").Build();
        Assert.Equal(MqttClientConnectResultCode.Success, await MqttClients.ConnectResultAsync(otherWill));

        using var first = await MqttClients.ConnectAsync(gateway.MqttPort, MqttProtocolVersion.V500, "shared-id", a);
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized,
            await MqttClients.ConnectResultAsync(MqttClients.Options(gateway.MqttPort, MqttProtocolVersion.V500, "shared-id", b).Build()));
        Assert.True(first.IsConnected);
        // The same device may take its own session over (a reconnect after a half-open connection).
        using var again = await MqttClients.ConnectAsync(gateway.MqttPort, MqttProtocolVersion.V500, "shared-id", a);
        Assert.True(again.IsConnected);
    }

    [Fact]
    public async Task A_zero_length_client_id_without_clean_session_is_refused_at_MQTT_3_1_1()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        // mosquitto_pub -c (no clean session) without -i: MQTT 3.1.1 §3.1.3-8 requires CONNACK 0x02.
        await using var p = ProcessRunner.Start("mosquitto_pub",
            ["-h", "127.0.0.1", "-p", gateway.MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-V", "mqttv311", "-c", "-q", "1", "-t", Heart(1).Topic("x"), "-m", Heart(1).Payload], name: "mosquitto_pub");
        var exit = await p.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, exit);
        Assert.Empty(await gateway.Store.Quarantine.ListQuarantineAsync("x", 10, default));
    }

    [Fact]
    public async Task Control_characters_of_a_client_id_are_escaped_in_the_rejected_store()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        using var client = await MqttClients.ConnectAsync(gateway.MqttPort, MqttProtocolVersion.V500, "dev\u001b[2Jice");

        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, (await MqttClients.PublishAsync(client, "vitals/d1/heart-rate", "{not json", 1)).ReasonCode);

        var rejected = Assert.Single(await gateway.Store.Rejected.ListRejectedAsync(10, default));
        Assert.Equal("mqtt vitals/d1/heart-rate from client dev\\x1B[2Jice", rejected.Origin);
    }

    [Fact]
    public async Task Topics_outside_vitals_are_refused_unless_pass_through_is_on()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        using var client = await MqttClients.ConnectAsync(gateway.MqttPort, MqttProtocolVersion.V500, "home");
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await MqttClients.PublishAsync(client, "home/light", "on", 1)).ReasonCode);
        var sub = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("home/#").Build());
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, Assert.Single(sub.Items).ResultCode);
    }

    [Fact]
    public async Task The_QoS_2_PUBREC_comes_after_the_commit_and_a_DUP_resend_is_stored_once()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        var (raw, code) = await RawMqttConnection.ConnectAsync(gateway.MqttPort);
        using (raw)
        {
            Assert.Equal(0, code);
            var reading = Heart(7);

            await raw.PublishQos2Async(reading.Topic("qos2-dev"), reading.Payload, 7, dup: false);
            var pubrec = await raw.ReadPacketAsync();
            Assert.Equal(0x50, pubrec.Header);
            // No PUBREL sent yet and no waiting: the PUBREC alone says the reading is durable.
            Assert.Single(await gateway.Store.Quarantine.ListQuarantineAsync("qos2-dev", 10, default));

            // The PUBREC "was lost": the publisher resends with DUP=1 (MQTT 3.1.1 §4.3.3).
            await raw.PublishQos2Async(reading.Topic("qos2-dev"), reading.Payload, 7, dup: true);
            Assert.Equal(0x50, (await raw.ReadPacketAsync()).Header);
            await raw.PubRelAsync(7);
            Assert.Equal(0x70, (await raw.ReadPacketAsync()).Header);
            await raw.PingAsync();
            Assert.Equal(0xD0, (await raw.ReadPacketAsync()).Header);
        }
        Assert.Single(await gateway.Store.Quarantine.ListQuarantineAsync("qos2-dev", 10, default));
    }

    [Fact]
    public async Task A_client_silent_past_its_keep_alive_is_disconnected()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        var (raw, code) = await RawMqttConnection.ConnectAsync(gateway.MqttPort, keepAliveSeconds: 1);
        using (raw)
        {
            Assert.Equal(0, code);
            // MQTT 3.1.1 §3.1.2.10: after one and a half keep-alive periods without a packet the server disconnects.
            Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(10)));
        }
    }
}
