using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Cli;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Ingest.Mqtt;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Tests.Storage;

namespace Vitals.Gateway.Tests.Ingest.Mqtt;

/// <summary>
/// Mqtt:Mode=External behind Debian's mosquitto as an operator would run it: the password and ACL files exported from
/// the registry (devices export-mosquitto), anonymous access off, publishers as real mosquitto_pub processes.
/// </summary>
public sealed class ExternalBrokerFrontDoorTests : IDisposable
{
    private const string GatewayUser = "vitals-gateway";
    private const string GatewayPassword = "gw-Secret-1";
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private readonly TempStore _temp = new();

    private static string Temperature(int id) =>
        $$"""{"value": 37.1, "unit": "Cel", "time": "{{Now.AddSeconds(-id).ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture)}}", "id": {{id}}}""";

    private static Dictionary<string, string?> External(MosquittoBroker broker, string clientId, string storePath, string? user = null, string? password = null) => new()
    {
        ["Mqtt:Mode"] = "External",
        ["Mqtt:Port"] = broker.Port.ToString(CultureInfo.InvariantCulture),
        ["Mqtt:ClientId"] = clientId,
        ["Mqtt:Username"] = user,
        ["Mqtt:Password"] = password,
        ["Mqtt:ReconnectMaxDelay"] = "00:00:01",
        ["Storage:Path"] = storePath,
    };

    private static ExternalBrokerClient ClientOf(InProcessGateway gateway) =>
        gateway.Services.GetServices<IHostedService>().OfType<ExternalBrokerClient>().Single();

    private static async Task<int> ReadingsOfAsync(StoreSet store, string device) =>
        (await store.Quarantine.ListQuarantineAsync(device, 100, CancellationToken.None)).Count;

    private static async Task IssueAsync(StoreSet store, string device, string password) =>
        await store.Credentials.SetAsync(device, MosquittoPasswordHash.Create(password, MosquittoAuthFiles.DefaultIterations).ToString(), DateTimeOffset.UtcNow, CancellationToken.None);


    /// <summary>Devices dev-a and dev-b issued, exported, and mosquitto started on the files with anonymous access off.</summary>
    private static async Task<MosquittoBroker> StartBehindExportAsync(StoreSet store)
    {
        await IssueAsync(store, "dev-a", "pw-a");
        await IssueAsync(store, "dev-b", "pw-b");
        var dir = MosquittoBroker.NewDirectory();
        await MosquittoExport.WriteAsync(store, dir, GatewayUser, GatewayPassword);
        return await MosquittoBroker.StartAsync(
            config: MosquittoExport.Config(dir),
            directory: dir);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("vitals-fleet")]
    public async Task Each_device_publishes_only_its_own_vitals_unknown_clients_are_refused_and_a_reload_lets_new_devices_in(string? sharedGroup)
    {
        using var store = await _temp.OpenAsync();
        await using var broker = await StartBehindExportAsync(store);
        var settings = External(broker, "gw-front-" + (sharedGroup ?? "plain"), _temp.DatabasePath, GatewayUser, GatewayPassword);
        settings["Mqtt:SharedGroup"] = sharedGroup;
        await using var gateway = await InProcessGateway.StartAsync(settings: settings);
        // Subscribing needs the ACL's read grant: a refused SUBACK would keep this from completing.
        await ClientOf(gateway).Connected.WaitAsync(TimeSpan.FromSeconds(20));

        // A publishing as B: mosquitto answers PUBACK 0x87 Not authorized and forwards nothing.
        await broker.TryPublishAsync("vitals/dev-b/body-temperature", Temperature(1), "dev-a", "pw-a");
        // Unknown clients: refused at CONNECT (CONNACK 0x87 / 0x86), so mosquitto_pub fails.
        var anonymous = await broker.TryPublishAsync("vitals/dev-a/body-temperature", Temperature(2));
        var wrongPassword = await broker.TryPublishAsync("vitals/dev-a/body-temperature", Temperature(3), "dev-a", "pw-b");
        var stranger = await broker.TryPublishAsync("vitals/dev-c/body-temperature", Temperature(4), "dev-c", "pw-c");
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.NotEqual(0, wrongPassword.ExitCode);
        Assert.NotEqual(0, stranger.ExitCode);
        Assert.Contains("not authori", anonymous.Error, StringComparison.OrdinalIgnoreCase);

        await broker.PublishAsync("vitals/dev-a/body-temperature", Temperature(5), "dev-a", "pw-a");
        await Eventually.TrueAsync(async () => await ReadingsOfAsync(store, "dev-a") >= 1, TimeSpan.FromSeconds(20), "A's own reading ingested");

        // dev-c gets credentials; a new export and a SIGHUP let it in without restarting mosquitto.
        await IssueAsync(store, "dev-c", "pw-c");
        await MosquittoExport.WriteAsync(store, broker.Directory, GatewayUser, GatewayPassword);
        await broker.ReloadAsync();
        await Eventually.TrueAsync(
            async () => (await broker.TryPublishAsync("vitals/dev-c/body-temperature", Temperature(6), "dev-c", "pw-c")).ExitCode == 0,
            TimeSpan.FromSeconds(10), "dev-c accepted after the reload");
        await Eventually.TrueAsync(async () => await ReadingsOfAsync(store, "dev-c") >= 1, TimeSpan.FromSeconds(20), "dev-c's reading ingested");

        // Settle: a second copy of anything would show up now.
        await Task.Delay(1000);
        Assert.Equal(1, await ReadingsOfAsync(store, "dev-a"));
        Assert.Equal(0, await ReadingsOfAsync(store, "dev-b"));
        Assert.Equal(1, await ReadingsOfAsync(store, "dev-c"));
        Assert.Equal(0, (await store.Status.GetOutboxStatusAsync(CancellationToken.None)).Rejected);
    }

    [Fact]
    public async Task The_gateway_with_a_wrong_password_is_refused_and_a_device_account_reads_nothing()
    {
        using var store = await _temp.OpenAsync();
        await using var broker = await StartBehindExportAsync(store);

        // Wrong password: CONNACK 0x86/0x87, retried with back-off, never connected.
        await using (var wrong = await InProcessGateway.StartAsync(settings: External(broker, "gw-wrong", _temp.DatabasePath, GatewayUser, "not-it")))
            await Assert.ThrowsAsync<TimeoutException>(() => ClientOf(wrong).Connected.WaitAsync(TimeSpan.FromSeconds(3)));

        // A device's account subscribing to all vitals: mosquitto 2.0 grants the SUBSCRIBE but checks the read right
        // on every message it would deliver, and a device has none.
        await using (var device = await InProcessGateway.StartAsync(settings: External(broker, "gw-as-device", _temp.DatabasePath, "dev-a", "pw-a")))
        {
            await ClientOf(device).Connected.WaitAsync(TimeSpan.FromSeconds(20));
            await broker.PublishAsync("vitals/dev-b/body-temperature", Temperature(1), "dev-b", "pw-b");
            await Task.Delay(1500);
        }
        Assert.Equal(0, await ReadingsOfAsync(store, "dev-b"));
    }

    [Fact]
    public async Task A_retained_reading_on_the_broker_is_not_ingested_and_does_not_come_back_after_a_gateway_restart()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var store = await _temp.OpenAsync();
        // Retained before the gateway ever connected: an old reading kept by the broker for new subscribers.
        await broker.PublishAsync("vitals/thermo-r/body-temperature", Temperature(1), retain: true);
        var settings = External(broker, "gw-retained", _temp.DatabasePath);

        await using (var gateway = await InProcessGateway.StartAsync(settings: settings))
        {
            await ClientOf(gateway).Connected.WaitAsync(TimeSpan.FromSeconds(20));
            // Published live with RETAIN by a device now: a new reading, delivered once (RETAIN cleared, §3.3.1.3).
            await broker.PublishAsync("vitals/thermo-r/body-temperature", Temperature(2), retain: true);
            await broker.PublishAsync("vitals/thermo-r/body-temperature", Temperature(3));
            await Eventually.TrueAsync(async () => await ReadingsOfAsync(store, "thermo-r") >= 2, TimeSpan.FromSeconds(20), "live readings ingested");
        }

        // Restart: the subscription is made again, and the broker's retained copy (now reading 2) must not be ingested.
        await using (var gateway = await InProcessGateway.StartAsync(settings: settings))
        {
            await ClientOf(gateway).Connected.WaitAsync(TimeSpan.FromSeconds(20));
            await broker.PublishAsync("vitals/thermo-r/body-temperature", Temperature(4));
            await Eventually.TrueAsync(async () => await ReadingsOfAsync(store, "thermo-r") >= 3, TimeSpan.FromSeconds(20), "the marker reading ingested");
            await Task.Delay(1000);
            // Retain Handling 2 reached mosquitto: it sent no retained copy at all (one would be counted here).
            Assert.Equal(0, ClientOf(gateway).RetainedIgnored);
        }

        Assert.Equal(3, await ReadingsOfAsync(store, "thermo-r"));
        Assert.Equal(0, (await store.Status.GetOutboxStatusAsync(CancellationToken.None)).Rejected);
    }

    [Fact]
    public async Task A_commit_that_finishes_after_a_broker_restart_is_not_acknowledged_on_the_new_connection_and_is_redelivered()
    {
        var dir = MosquittoBroker.NewDirectory();
        // Test only: mosquitto drops root and must write its persistence file here.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
        await using var broker = await MosquittoBroker.StartAsync(config: ["persistence true", $"persistence_location {dir}/"], directory: dir);
        var ingest = Options.Create(new IngestOptions { TimeZone = "UTC" });
        var mqtt = Options.Create(new MqttOptions
        {
            Mode = MqttMode.External, Port = broker.Port, ClientId = "gw-ack-generation", ReconnectMaxDelay = TimeSpan.FromSeconds(1),
        });

        // The test is the store: it takes each message off the pipeline and decides when its commit finishes.
        var pipeline = new IngestPipeline(new MessageDecoder(ingest), ingest);
        using (var client = new ExternalBrokerClient(pipeline, mqtt, TimeProvider.System, NullLogger<ExternalBrokerClient>.Instance))
        {
            await client.StartAsync(CancellationToken.None);
            await client.Connected.WaitAsync(TimeSpan.FromSeconds(20));
            await broker.PublishAsync("vitals/resp-g/respiratory-rate", """{"value": 16, "time": "2026-11-25T08:30:00Z", "id": 1}""");
            var slow = await pipeline.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

            // The connection the message came on goes away while its commit is under way; the session survives.
            await broker.RestartAsync();
            var redelivered = await pipeline.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(slow.Record.Origin, redelivered.Record.Origin);
            Assert.Equal(slow.Record.Payload.ToArray(), redelivered.Record.Payload.ToArray());

            // The slow commit finishes on the new connection's watch: its PUBACK would carry the old Packet Identifier.
            slow.Committed.SetResult(IngestOutcome.Queued);
            await Eventually.TrueAsync(() => client.AcknowledgementsSkipped == 1, TimeSpan.FromSeconds(10), "the stale acknowledgement skipped");
            redelivered.Committed.SetResult(IngestOutcome.Duplicate);
            await Task.Delay(500);
            Assert.Equal(1, client.AcknowledgementsSkipped);
            await client.StopAsync(CancellationToken.None);
        }

        // The redelivered copy was acknowledged on its own connection: the session holds nothing more.
        var after = new IngestPipeline(new MessageDecoder(ingest), ingest);
        using var again = new ExternalBrokerClient(after, mqtt, TimeProvider.System, NullLogger<ExternalBrokerClient>.Instance);
        await again.StartAsync(CancellationToken.None);
        await again.Connected.WaitAsync(TimeSpan.FromSeconds(20));
        await Task.Delay(1500);
        Assert.False(after.Reader.TryRead(out _), "the broker redelivered a message that was acknowledged");
        await again.StopAsync(CancellationToken.None);
    }

    public void Dispose() => _temp.Dispose();
}
