using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using MQTTnet.Server;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Simulators.DeviceSimulator;

namespace Vitals.Gateway.Tests.Simulators;

/// <summary>The simulator against a real MQTT broker (MQTTnet's server, in process).</summary>
public sealed class SimulatorRunnerTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<(string ClientId, string Topic, byte[] Payload)> _received = new();
    private readonly ConcurrentDictionary<string, (string? User, string? Password)> _logins = new();
    private MqttServer? _broker;
    private int _port;

    public async Task InitializeAsync()
    {
        _port = FreePort.Next();
        var options = new MqttServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointPort(_port).Build();
        _broker = new MqttServerFactory().CreateMqttServer(options);
        _broker.ValidatingConnectionAsync += e =>
        {
            _logins[e.ClientId] = (e.UserName, e.Password);
            return Task.CompletedTask;
        };
        _broker.InterceptingPublishAsync += e =>
        {
            _received.Enqueue((e.ClientId, e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray()));
            return Task.CompletedTask;
        };
        await _broker.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.StopAsync();
            _broker.Dispose();
        }
    }

    [Fact]
    public async Task Run_PublishesCountMessages_AllAcknowledged_EachDeviceInOrderOnOneConnection()
    {
        var options = Options("--devices", "2", "--clients", "3", "--count", "120", "--rate", "0", "--malformed", "0.25", "--seed", "12", "--inflight", "8");

        var report = await new SimulatorRunner(options, TimeProvider.System, TextWriter.Null).RunAsync(CancellationToken.None);

        Assert.Equal((120L, 120L, 0L), (report.Sent, report.Acked, report.Failed));
        Assert.Equal(120, _received.Count);
        Assert.Equal(report.MalformedSent, report.MalformedByKind.Values.Sum());
        Assert.InRange(report.MalformedSent, 15, 45);
        Assert.Equal(120, report.LatencyMs.Samples);
        Assert.True(report.LatencyMs.P50 <= report.LatencyMs.P99 && report.LatencyMs.P99 <= report.LatencyMs.Max);
        Assert.Equal((12, 3), (report.Devices, report.Clients));

        var byDevice = _received.GroupBy(m => m.Topic.Split('/')[1]).ToList();
        Assert.Equal(12, byDevice.Count);
        foreach (var device in byDevice)
        {
            Assert.Single(device.Select(m => m.ClientId).Distinct());
            var ids = device.Select(m => Sequence(m.Payload)).Where(id => id is not null).ToList();
            Assert.Equal(ids.Order(), ids);
        }
    }

    [Fact]
    public async Task Run_WithPerDeviceCredentials_EachConnectionLogsInAsTheOneDeviceItPublishesFor()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(file, ["sim-heart-rate-0001 one", "sim-heart-rate-0002 two", "sim-heart-rate-0003 three"]);
            var options = Options("--kinds", "heart-rate", "--devices", "3", "--clients", "3", "--credentials", file, "--count", "30", "--rate", "0");

            var report = await new SimulatorRunner(options, TimeProvider.System, TextWriter.Null).RunAsync(CancellationToken.None);

            Assert.Equal((30L, 0L), (report.Acked, report.Failed));
            Assert.True(report.ConnectSeconds > 0);
            Assert.Equal(3, _logins.Count);
            foreach (var message in _received)
            {
                var device = message.Topic.Split('/')[1];
                Assert.Equal(device, _logins[message.ClientId].User);
            }
            Assert.Equal(["one", "three", "two"], _logins.Values.Select(l => l.Password).Order());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Run_WithPasswordForAll_LogsEveryDeviceInWithItsIdAndTheOnePassword()
    {
        var options = Options("--kinds", "heart-rate,body-weight", "--devices", "2", "--clients", "4", "--password-for-all", "s3cret", "--count", "8", "--rate", "0");

        var report = await new SimulatorRunner(options, TimeProvider.System, TextWriter.Null).RunAsync(CancellationToken.None);

        Assert.Equal(0, report.Failed);
        Assert.Equal(
            ["sim-body-weight-0001", "sim-body-weight-0002", "sim-heart-rate-0001", "sim-heart-rate-0002"],
            _logins.Values.Select(l => l.User).Order());
        Assert.All(_logins.Values, l => Assert.Equal("s3cret", l.Password));
    }

    [Fact]
    public async Task Run_WithDuration_StopsByItselfAtTheRequestedRate()
    {
        var options = Options("--kinds", "heart-rate", "--rate", "40", "--duration", "1");

        var report = await new SimulatorRunner(options, TimeProvider.System, TextWriter.Null).RunAsync(CancellationToken.None);

        Assert.Equal(0, report.Failed);
        Assert.Equal(report.Sent, report.Acked);
        // The pacer never exceeds the rate over the time the run really took (a loaded machine may stop late or send
        // fewer): at most one slot per 1/40 s of the measured duration, plus the first.
        Assert.InRange(report.Sent, 1, (long)Math.Floor(40 * report.DurationSeconds) + 1);
        Assert.All(_received, m => Assert.Equal("vitals/sim-heart-rate-0001/heart-rate", m.Topic));
    }

    [Fact]
    public async Task Run_WithoutABroker_FailsToConnectWithAClearMessage()
    {
        await _broker!.StopAsync();

        var error = await Assert.ThrowsAsync<SimulatorConnectException>(
            () => new SimulatorRunner(Options("--count", "1"), TimeProvider.System, TextWriter.Null).RunAsync(CancellationToken.None));

        Assert.Contains($"127.0.0.1:{_port}", error.Message);
    }

    [Fact]
    public void Report_SerialisesWithTheDocumentedFields()
    {
        var report = new SimulatorReport
        {
            Sent = 3, Acked = 2, Failed = 1, MalformedSent = 1,
            MalformedByKind = new Dictionary<string, long> { ["Oversize"] = 1 },
            Devices = 6, Clients = 1, Seed = 1, DurationSeconds = 1.5, ConnectSeconds = 0.25, ThroughputPerSecond = 1.3,
            LatencyMs = new LatencySummary(2, 1.5, 2, 2, 2),
        };

        using var json = JsonDocument.Parse(report.ToJson());

        var names = json.RootElement.EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "sent", "acked", "failed", "malformedSent", "durationSeconds", "connectSeconds", "throughputPerSecond", "latencyMs" }, names);
        Assert.Equal(0.25, json.RootElement.GetProperty("connectSeconds").GetDouble());
        Assert.Equal(2, json.RootElement.GetProperty("latencyMs").GetProperty("p95").GetDouble());
        var back = SimulatorReport.FromJson(report.ToJson());
        Assert.NotNull(back);
        Assert.Equal((report.Sent, report.Acked, report.Failed, report.LatencyMs), (back.Sent, back.Acked, back.Failed, back.LatencyMs));
        Assert.Equal(report.MalformedByKind, back.MalformedByKind);
    }

    private SimulatorOptions Options(params string[] args)
    {
        Assert.True(SimulatorOptions.TryParse([.. args, "--port", _port.ToString(System.Globalization.CultureInfo.InvariantCulture)], out var options, out var error), error);
        return options;
    }

    private static long? Sequence(byte[] payload)
    {
        try
        {
            using var json = JsonDocument.Parse(payload);
            return json.RootElement.TryGetProperty("id", out var id) ? id.GetInt64() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
