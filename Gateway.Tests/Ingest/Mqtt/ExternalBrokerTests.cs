using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.Infrastructure;

using Vitals.Gateway.Ingest.Mqtt;

using Vitals.Gateway.Tests.Storage;

namespace Vitals.Gateway.Tests.Ingest.Mqtt;

/// <summary>Mqtt:Mode=External against Debian's mosquitto, with mosquitto_pub as the publisher.</summary>
public sealed class ExternalBrokerTests
{
    private static Dictionary<string, string?> External(MosquittoBroker broker, string clientId, string? user = null, string? password = null) => new()
    {
        ["Mqtt:Mode"] = "External",
        ["Mqtt:Port"] = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Mqtt:ClientId"] = clientId,
        ["Mqtt:Username"] = user,
        ["Mqtt:Password"] = password,
    };

    private static async Task WaitConnectedAsync(InProcessGateway gateway) =>
        await gateway.Services.GetServices<IHostedService>().OfType<ExternalBrokerClient>().Single().Connected.WaitAsync(TimeSpan.FromSeconds(20));

    private static async Task<OutboxStatus> WaitForAsync(StoreSet store, Func<OutboxStatus, bool> done)
    {
        return await Eventually.ValueAsync(() => store.Status.GetOutboxStatusAsync(default), done, TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Readings_published_with_mosquitto_pub_are_committed_and_bad_ones_rejected()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var gateway = await InProcessGateway.StartAsync(settings: External(broker, "gw-ext-1"));
        await gateway.Store.Bindings.BindAsync("cuff-7", null, PatientId.Parse("Patient/p7"), Some.BoundLongAgo, default);
        await WaitConnectedAsync(gateway);

        await broker.PublishAsync("vitals/cuff-7/blood-pressure", """{"systolic": 16.9, "diastolic": 10.8, "unit": "kPa", "time": "2026-11-25T08:30:00+01:00", "id": 1}""");
        await broker.PublishAsync("vitals/cuff-7/blood-pressure", """{"systolic": "high"}""");

        var status = await WaitForAsync(gateway.Store, s => s.Pending + s.Delivered == 1 && s.Rejected == 1);
        Assert.Equal(1, status.Pending + status.Delivered);
        Assert.Equal(1, status.Rejected);
    }

    [Fact]
    public async Task Messages_published_while_the_gateway_is_down_arrive_from_its_persistent_session()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var settings = External(broker, "gw-ext-persist");
        var storePath = Path.Combine(Path.GetTempPath(), "vg-persist-" + Guid.NewGuid().ToString("N")[..8] + ".db");
        settings["Storage:Path"] = storePath;
        await using (var first = await InProcessGateway.StartAsync(settings: settings))
        {
            await WaitConnectedAsync(first);
            await first.Store.Bindings.BindAsync("resp-1", null, PatientId.Parse("Patient/p1"), Some.BoundLongAgo, default);
        }

        // The gateway is down: the broker holds these for its session.
        for (var i = 1; i <= 5; i++)
            await broker.PublishAsync("vitals/resp-1/respiratory-rate", $$"""{"value": {{14 + i}}, "time": "2026-11-25T08:3{{i}}:00Z", "id": {{i}}}""");

        await using var second = await InProcessGateway.StartAsync(settings: settings);
        var status = await WaitForAsync(second.Store, s => s.Pending + s.Delivered == 5);
        Assert.Equal(5, status.Pending + status.Delivered);
    }

    [Fact]
    public async Task TLS_with_a_private_CA_connects_and_an_unknown_CA_does_not()
    {
        var dir = Directory.CreateTempSubdirectory("vg-tls-").FullName;
        var (certFile, keyFile) = SelfSignedBrokerCertificate(dir);
        await using var broker = await MosquittoBroker.StartAsync(tls: (certFile, keyFile));

        var trusting = External(broker, "gw-ext-tls");
        trusting["Mqtt:UseTls"] = "true";
        trusting["Mqtt:CaCertificatePath"] = certFile;
        await using (var gateway = await InProcessGateway.StartAsync(settings: trusting))
        {
            await WaitConnectedAsync(gateway);
            await broker.PublishAsync("vitals/thermo-tls/body-temperature", """{"value": 36.9, "unit": "Cel", "time": "2026-11-25T08:30:00Z"}""");
            var status = await WaitForAsync(gateway.Store, s => s.Quarantined == 1);
            Assert.Equal(1, status.Quarantined);
        }

        // The machine's trust store does not know this CA: the gateway must refuse the broker, not fall back to plain
        // trust, and keep retrying.
        var untrusting = External(broker, "gw-ext-tls-2");
        untrusting["Mqtt:UseTls"] = "true";
        await using (var gateway = await InProcessGateway.StartAsync(settings: untrusting))
        {
            var client = gateway.Services.GetServices<IHostedService>().OfType<ExternalBrokerClient>().Single();
            await Assert.ThrowsAsync<TimeoutException>(() => client.Connected.WaitAsync(TimeSpan.FromSeconds(3)));
        }
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>A self-signed certificate for 127.0.0.1 that is its own CA, written as PEM (mosquitto's format).</summary>
    private static (string CertFile, string KeyFile) SelfSignedBrokerCertificate(string dir)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=vitals-test-broker", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certFile = Path.Combine(dir, "broker.crt");
        var keyFile = Path.Combine(dir, "broker.key");
        File.WriteAllText(certFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        // mosquitto started as root drops to its own user before reading the files: a throwaway test key may be readable.
        if (!OperatingSystem.IsWindows())
        {
            const UnixFileMode readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
            File.SetUnixFileMode(dir, readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            File.SetUnixFileMode(certFile, readable);
            File.SetUnixFileMode(keyFile, readable);
        }
        return (certFile, keyFile);
    }

    [Fact]
    public async Task Two_gateways_in_one_shared_group_split_the_readings_each_reading_once()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var first = External(broker, "gw-fleet-a");
        first["Mqtt:SharedGroup"] = "vitals-fleet";
        var second = External(broker, "gw-fleet-b");
        second["Mqtt:SharedGroup"] = "vitals-fleet";
        await using var a = await InProcessGateway.StartAsync(settings: first);
        await using var b = await InProcessGateway.StartAsync(settings: second);
        await WaitConnectedAsync(a);
        await WaitConnectedAsync(b);

        for (var i = 1; i <= 20; i++)
            await broker.PublishAsync("vitals/resp-fleet/respiratory-rate", $$"""{"value": 16, "time": "2026-11-25T08:{{i:00}}:00Z", "id": {{i}}}""");

        await Eventually.ValueAsync(
            async () => (await a.Store.Status.GetOutboxStatusAsync(default)).Quarantined + (await b.Store.Status.GetOutboxStatusAsync(default)).Quarantined,
            n => n >= 20, TimeSpan.FromSeconds(20));
        // Settle: a broker that gave every member a copy would keep counting past 20.
        await Task.Delay(1000);
        var inA = (await a.Store.Status.GetOutboxStatusAsync(default)).Quarantined;
        var inB = (await b.Store.Status.GetOutboxStatusAsync(default)).Quarantined;
        Assert.Equal(20, inA + inB);
        Assert.True(inA > 0 && inB > 0, $"both members should get readings (a {inA}, b {inB})");
    }

    [Theory]
    [InlineData(null, 1000)]
    [InlineData("25", 25)]
    public async Task The_connect_limits_the_readings_the_broker_may_send_unacknowledged(string? configured, int expected)
    {
        // MQTT 5.0 §3.1.2.11.3: without Receive Maximum a broker may send 65,535; the broker here is MQTTnet's server,
        // which reports what the CONNECT carried.
        var port = FreePort.Next();
        var seen = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new MQTTnet.Server.MqttServerFactory().CreateMqttServer(
            new MQTTnet.Server.MqttServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointPort(port).Build());
        server.ValidatingConnectionAsync += e =>
        {
            seen.TrySetResult(e.ReceiveMaximum);
            return Task.CompletedTask;
        };
        await server.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Mqtt:Mode"] = "External",
            ["Mqtt:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mqtt:ClientId"] = "gw-receive-maximum",
        };
        if (configured is not null) settings["Mqtt:ReceiveMaximum"] = configured;
        await using var gateway = await InProcessGateway.StartAsync(settings: settings);

        Assert.Equal(expected, await seen.Task.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task A_broker_sending_past_the_receive_maximum_is_held_to_it()
    {
        // Debian's mosquitto 2.0.11 keeps to a subscriber's Receive Maximum only until PUBACKs flow, then sends past it
        // (eclipse-mosquitto/mosquitto#2301; 3,213 unacknowledged against a limit of 10 in docs/scaling.md's run). The
        // gateway acknowledges after each commit, so a commit holding more than the limit shows the broker's excess
        // entered the pipeline.
        await using var broker = await MosquittoBroker.StartAsync();
        var commits = new LargestCommit();
        var settings = External(broker, "gw-ext-rm");
        settings["Mqtt:ReceiveMaximum"] = "5";
        await using var gateway = await InProcessGateway.StartAsync(settings: settings, configureServices: s =>
        {
            var store = s.Last(d => d.ServiceType == typeof(IIngestCommit));
            s.Remove(store);
            s.AddSingleton<IIngestCommit>(sp => commits.Wrap((IIngestCommit)store.ImplementationFactory!(sp)));
        });
        await WaitConnectedAsync(gateway);

        const int Publishers = 20, Each = 30;
        await Task.WhenAll(Enumerable.Range(0, Publishers).Select(async p =>
        {
            using var client = new MQTTnet.MqttClientFactory().CreateMqttClient();
            await client.ConnectAsync(new MQTTnet.MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId($"rm-{p}").Build());
            for (var i = 0; i < Each; i++)
            {
                var payload = $"{{\"value\": 36.{i % 10}, \"unit\": \"Cel\", \"time\": \"2026-11-25T08:{i:00}:00Z\"}}";
                await client.PublishAsync(new MQTTnet.MqttApplicationMessageBuilder().WithTopic($"vitals/rm-{p}/body-temperature").WithPayload(payload)
                    .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());
            }
        }));

        await WaitForAsync(gateway.Store, s => s.Quarantined == Publishers * Each);
        Assert.InRange(commits.Largest, 1, 5);
    }

    /// <summary>Wraps the store's ingest commit to see the largest batch it was given.</summary>
    private sealed class LargestCommit
    {
        private int _largest;

        public int Largest => Volatile.Read(ref _largest);

        public IIngestCommit Wrap(IIngestCommit store) => new Recording(store, this);

        private void Saw(int count)
        {
            int seen;
            while ((seen = Volatile.Read(ref _largest)) < count && Interlocked.CompareExchange(ref _largest, count, seen) != seen)
            {
            }
        }

        private sealed class Recording(IIngestCommit store, LargestCommit largest) : IIngestCommit
        {
            public Task<IReadOnlyList<IngestOutcome>> CommitAsync(IReadOnlyList<IngestRecord> batch, CancellationToken ct)
            {
                largest.Saw(batch.Count);
                return store.CommitAsync(batch, ct);
            }
        }
    }

    [Fact]
    public async Task Credentials_are_used_to_connect()
    {
        await using var broker = await MosquittoBroker.StartAsync("gateway", "s3cret-pw");
        await using var gateway = await InProcessGateway.StartAsync(settings: External(broker, "gw-ext-auth", "gateway", "s3cret-pw"));
        await WaitConnectedAsync(gateway);

        await broker.PublishAsync("vitals/spo2-1/oxygen-saturation", """{"value": 97, "unit": "%", "time": "2026-11-25T08:30:00Z"}""", "gateway", "s3cret-pw");

        var status = await WaitForAsync(gateway.Store, s => s.Quarantined == 1);
        Assert.Equal(1, status.Quarantined);
    }
}
