using Microsoft.Data.Sqlite;
using MQTTnet.Server;
using Vitals.Devices;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Simulators.DeviceSimulator;

namespace Vitals.Gateway.Tests.Simulators;

/// <summary>The load verb against a real MQTT broker (MQTTnet's server, in process), this test process as the "gateway".</summary>
public sealed class LoadRunnerTests : IAsyncLifetime
{
    private MqttServer? _broker;
    private int _port;

    public async Task InitializeAsync()
    {
        _port = FreePort.Next();
        _broker = new MqttServerFactory().CreateMqttServer(new MqttServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointPort(_port).Build());
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

    private LoadOptions Options(params string[] extra)
    {
        string[] args = ["--port", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--kinds", "heart-rate", "--devices", "2",
            "--rate", "20", "--duration", "2", "--sample-every", "1", "--gateway-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), .. extra];
        Assert.True(LoadOptions.TryParse(args, out var options, out var error), error);
        return options;
    }

    [Fact]
    public async Task A_run_reports_throughput_latency_and_the_processs_memory_with_progress_lines()
    {
        var log = new StringWriter();

        var report = await new LoadRunner(Options(), TimeProvider.System, TextWriter.Null, new LoadProgress(log, false, TimeSpan.FromSeconds(1)))
            .RunAsync(CancellationToken.None);

        Assert.True(report.Sent > 10, report.Sent.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal((report.Sent, 0L), (report.Acked, report.Failed));
        Assert.Equal(report.Acked, report.PublishToCommittedMs.Samples);
        Assert.NotEmpty(report.RssSamples);
        Assert.True(report.PeakRssMb >= report.MaxSampledRssMb, $"{report.PeakRssMb} {report.MaxSampledRssMb}");
        Assert.Null(report.CommittedToEhrMs);
        Assert.Matches(@"load \d+/2 s  sent \d+  committed \d+", log.ToString());
        Assert.Equal(report, LoadReport.FromJson(report.ToJson())! with { RssSamples = report.RssSamples });
    }

    [Fact]
    public async Task With_a_store_each_committed_reading_is_timed_to_its_delivered_at()
    {
        var path = Path.Combine(Path.GetTempPath(), "vg-load-" + Guid.NewGuid().ToString("N")[..8] + ".db");
        try
        {
            // A store where every reading the run can send was delivered an hour from now.
            var deliveredAt = DateTimeOffset.UtcNow.AddHours(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            using (var db = new SqliteConnection($"Data Source={path}"))
            {
                db.Open();
                using var create = db.CreateCommand();
                create.CommandText = "CREATE TABLE readings (identity_key TEXT, state TEXT, delivered_at TEXT)";
                create.ExecuteNonQuery();
                using var insert = db.CreateCommand();
                insert.CommandText = "INSERT INTO readings VALUES ($k, 'delivered', $d)";
                var key = insert.Parameters.Add("$k", SqliteType.Text);
                insert.Parameters.AddWithValue("$d", deliveredAt);
                foreach (var device in new[] { "sim-heart-rate-0001", "sim-heart-rate-0002" })
                    for (var id = 0; id <= 200; id++)
                    {
                        key.Value = ReadingIdentity.Key(Some.StoredThermometer(device, measurementId: id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                        insert.ExecuteNonQuery();
                    }
            }
            SqliteConnection.ClearAllPools();

            var report = await new LoadRunner(Options("--store", path, "--drain", "0"), TimeProvider.System, TextWriter.Null,
                new LoadProgress(TextWriter.Null, false, TimeSpan.FromSeconds(1))).RunAsync(CancellationToken.None);

            Assert.NotNull(report.CommittedToEhrMs);
            Assert.Equal((report.Acked, 0L), ((long)report.CommittedToEhrMs.Samples, report.Undelivered!.Value));
            Assert.InRange(report.CommittedToEhrMs.P50, 3_500_000, 3_600_000);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(path);
        }
    }
}
