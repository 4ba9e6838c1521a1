using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Xunit.Abstractions;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Ingest.Mqtt;

/// <summary>Mqtt:Limits on the embedded broker, against real clients over loopback TCP.</summary>
// Alone, like the end-to-end runs: the flood test times another client's PUBACK, which a busy machine would distort.
[Collection(EndToEndCollection.Name)]
public sealed class BrokerLimitsTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static string Temperature(int id) =>
        $$"""{"value": 37.2, "unit": "Cel", "time": "{{Now.AddSeconds(-id):yyyy-MM-ddTHH:mm:ssK}}", "id": {{id}}}""";

    private static MqttClientOptionsBuilder Options(int port, string clientId, MqttProtocolVersion version = MqttProtocolVersion.V500) =>
        new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(clientId).WithProtocolVersion(version);

    private static async Task<IMqttClient> ConnectAsync(int port, string clientId)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(Options(port, clientId).Build());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }

    private static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, string topic, string payload, CancellationToken ct = default) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(Encoding.UTF8.GetBytes(payload))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);

    private static Dictionary<string, string?> Limits(params (string Key, object Value)[] limits) =>
        limits.ToDictionary(l => "Mqtt:Limits:" + l.Key, l => (string?)Convert.ToString(l.Value, CultureInfo.InvariantCulture));

    [Fact]
    public async Task A_packet_announcing_256_MB_closes_the_connection_before_anything_of_it_is_buffered()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", gateway.MqttPort);
        var stream = tcp.GetStream();
        // MQTT 3.1.1 CONNECT (§3.1): protocol name "MQTT", level 4, clean session, keep alive 60 s, client id "big".
        byte[] connect = [0x10, 15, 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 4, 0x02, 0, 60, 0, 3, (byte)'b', (byte)'i', (byte)'g'];
        await stream.WriteAsync(connect);
        var connAck = new byte[4];
        await stream.ReadExactlyAsync(connAck);
        Assert.Equal(new byte[] { 0x20, 2, 0, 0 }, connAck);

        GC.Collect();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        // PUBLISH QoS 1 whose Remaining Length is 268,435,455 (0xFF 0xFF 0xFF 0x7F, §2.2.3): 256 MB announced.
        await stream.WriteAsync(new byte[] { 0x32, 0xFF, 0xFF, 0xFF, 0x7F });
        var read = stream.ReadAsync(new byte[1]).AsTask();
        var trickled = 0;
        await Eventually.TrueAsync(async () =>
        {
            if (read.IsCompleted) return true;
            try
            {
                await stream.WriteAsync(new byte[] { 0, 1, (byte)'a' }); // the trickle: a few bytes at a time, never 256 MB
                trickled += 3;
            }
            catch (IOException)
            {
                return true;
            }
            return read.IsCompleted;
        }, TimeSpan.FromSeconds(20), "the gateway closes the connection", TimeSpan.FromMilliseconds(20));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var heapAfter = GC.GetTotalMemory(forceFullCollection: false);

        try
        {
            Assert.Equal(0, await read); // closed, not answered
        }
        catch (IOException)
        {
            // reset: closed as well
        }
        output.WriteLine($"announced 256 MB, trickled {trickled} bytes: allocated {allocated / 1024} KiB, heap {(heapAfter - heapBefore) / 1024} KiB");
        // Generous margins: other tests run in this process at the same time, but none allocates 256 MB.
        Assert.True(allocated < 64L * 1024 * 1024, $"the process allocated {allocated / 1024 / 1024} MB while the packet was announced ({trickled} bytes trickled)");
        Assert.True(heapAfter - heapBefore < 64L * 1024 * 1024, $"the heap grew by {(heapAfter - heapBefore) / 1024 / 1024} MB");
    }

    [Fact]
    public async Task A_flood_from_one_client_does_not_delay_another_clients_PUBACK_by_more_than_100_ms()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        using var flooder = await ConnectAsync(gateway.MqttPort, "flooder");
        using var other = await ConnectAsync(gateway.MqttPort, "other");
        for (var i = 0; i < 5; i++) await PublishAsync(other, "vitals/other-1/body-temperature", Temperature(1000 + i)); // warm-up

        using var stop = new CancellationTokenSource();
        var acknowledged = 0;
        var floodStarted = Stopwatch.StartNew();
        // As fast as it can: 32 publishes always outstanding, each answered by the next.
        var flood = Task.WhenAll(Enumerable.Range(0, 32).Select(lane => Task.Run(async () =>
        {
            for (var n = lane; !stop.IsCancellationRequested; n += 32)
            {
                try
                {
                    if ((await PublishAsync(flooder, "vitals/flood-1/body-temperature", Temperature(n), stop.Token)).IsSuccess)
                        Interlocked.Increment(ref acknowledged);
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    return; // MQTTnet reports a cancelled publish as timed out
                }
            }
        })));
        // Past its burst (default 200), so what is measured is the flood being slowed, not the first second of it.
        await Eventually.TrueAsync(() => Volatile.Read(ref acknowledged) > 250, TimeSpan.FromSeconds(30), "the flood has used up its burst");

        var latencies = new List<double>();
        for (var i = 0; i < 50; i++)
        {
            var sw = Stopwatch.StartNew();
            var result = await PublishAsync(other, "vitals/other-1/body-temperature", Temperature(i));
            latencies.Add(sw.Elapsed.TotalMilliseconds);
            Assert.True(result.IsSuccess, result.ReasonCode.ToString());
        }
        var floodSeconds = floodStarted.Elapsed.TotalSeconds;
        var floodAcknowledged = Volatile.Read(ref acknowledged);
        await stop.CancelAsync();
        await flood;

        latencies.Sort();
        var p99 = latencies[(int)Math.Ceiling(0.99 * latencies.Count) - 1];
        output.WriteLine($"other client's PUBACK over {latencies.Count} publishes during the flood: median {latencies[latencies.Count / 2]:F1} ms, p99 {p99:F1} ms, max {latencies[^1]:F1} ms; flood: {floodAcknowledged} acknowledged in {floodSeconds:F1} s");
        Assert.True(p99 <= 100, $"PUBACK p99 {p99:F1} ms during the flood (median {latencies[latencies.Count / 2]:F1} ms)");
        // Slowed, not refused: the flooder got no more than its burst plus the rate (defaults 200 + 50/s), with slack
        // for the moments between counting and stopping.
        Assert.True(floodAcknowledged <= 200 + 50 * floodSeconds + 50, $"{floodAcknowledged} flood publishes acknowledged in {floodSeconds:F1} s");
        // Nothing acknowledged was dropped: every one is in the store (quarantined, the device is unbound).
        var stored = await gateway.Store.Quarantine.ListQuarantineAsync("flood-1", 100_000, default);
        Assert.True(stored.Count >= floodAcknowledged, $"{stored.Count} stored, {floodAcknowledged} acknowledged");
    }

    [Fact]
    public async Task Connections_over_the_maximum_are_refused_and_admitted_again_when_one_closes()
    {
        await using var gateway = await InProcessGateway.StartAsync(settings: Limits(("MaxConnections", 2)));
        using var first = await ConnectAsync(gateway.MqttPort, "first");
        using var second = await ConnectAsync(gateway.MqttPort, "second");

        using var third = new MqttClientFactory().CreateMqttClient();
        var refused = await third.ConnectAsync(Options(gateway.MqttPort, "third").Build());
        using var old = new MqttClientFactory().CreateMqttClient();
        var refusedOld = await old.ConnectAsync(Options(gateway.MqttPort, "third-311", MqttProtocolVersion.V311).Build());

        // MQTT 5.0 §3.2.2.2 0x97; MQTT 3.1.1 §3.2.2.3 return code 3.
        Assert.Equal(MqttClientConnectResultCode.QuotaExceeded, refused.ResultCode);
        Assert.Equal(MqttClientConnectResultCode.ServerUnavailable, refusedOld.ResultCode);

        await first.DisconnectAsync();
        await Eventually.TrueAsync(async () =>
        {
            using var again = new MqttClientFactory().CreateMqttClient();
            return (await again.ConnectAsync(Options(gateway.MqttPort, "again").Build())).ResultCode == MqttClientConnectResultCode.Success;
        }, TimeSpan.FromSeconds(10), "a connection is admitted once one has closed", TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_client_asking_for_a_huge_session_expiry_gets_the_cap_and_CONNACK_announces_the_limits()
    {
        await using var gateway = await InProcessGateway.StartAsync(settings: Limits(("MaxSessionExpiry", "02:00:00"), ("ReceiveMaximum", 8)));
        using var client = new MqttClientFactory().CreateMqttClient();

        var result = await client.ConnectAsync(Options(gateway.MqttPort, "forever").WithCleanStart(false).WithSessionExpiryInterval(uint.MaxValue).Build());

        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        Assert.Equal(7200u, result.SessionExpiryInterval); // MQTT 5.0 §3.2.2.3.2
        Assert.Equal((ushort)8, result.ReceiveMaximum); // §3.2.2.3.3
        Assert.Equal(256u * 1024, result.MaximumPacketSize); // §3.2.2.3.6
    }

    [Fact]
    public async Task A_persistent_session_ends_once_its_capped_expiry_has_passed()
    {
        await using var gateway = await InProcessGateway.StartAsync(settings: Limits(("MaxSessionExpiry", "00:00:01")));
        var options = Options(gateway.MqttPort, "sleepy").WithCleanStart(false).WithSessionExpiryInterval(3600).Build();
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(options);
        await client.DisconnectAsync();

        // Straight back: the session is still there (MQTT 5.0 §3.2.2.1.1 Session Present).
        Assert.True((await client.ConnectAsync(options)).IsSessionPresent);
        await client.DisconnectAsync();

        await Eventually.TrueAsync(async () =>
        {
            var present = (await client.ConnectAsync(options)).IsSessionPresent;
            await client.DisconnectAsync();
            return !present;
        }, TimeSpan.FromSeconds(20), "the session expires", TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task A_topic_and_client_id_with_control_characters_are_stored_escaped_and_cut_to_the_cap()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        var clientId = "dev\u001b[2J\r\n2026-12-05 INFO forged";
        using var client = await ConnectAsync(gateway.MqttPort, clientId);
        var topic = "vitals/\u001b[31mred\r\nINFO fake line/" + new string('x', 500);

        var result = await PublishAsync(client, topic, "{}");

        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, result.ReasonCode);
        var rejected = Assert.Single(await gateway.Store.Rejected.ListRejectedAsync(10, default));
        Assert.DoesNotContain(rejected.Origin, c => char.IsControl(c));
        Assert.Contains(@"vitals/\x1B[31mred\r\nINFO fake line/xxx", rejected.Origin, StringComparison.Ordinal);
        Assert.Contains(@"from client dev\x1B[2J\r\n2026-12-05 INFO forged", rejected.Origin, StringComparison.Ordinal);
        Assert.Contains("…(", rejected.Origin, StringComparison.Ordinal);
        Assert.True(rejected.Origin.Length <= 2 * SafeText.DefaultMaxChars + 20, $"{rejected.Origin.Length} chars");
        Assert.DoesNotContain(rejected.Reason, c => char.IsControl(c) && c != '\n');
    }
}
