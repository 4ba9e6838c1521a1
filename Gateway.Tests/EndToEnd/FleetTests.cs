using System.Globalization;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Vitals.Gateway.Cli;
using Vitals.Gateway.Ingest.Mqtt;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Tests.Storage;
using Xunit.Abstractions;

namespace Vitals.Gateway.Tests.EndToEnd;

/// <summary>
/// Fleet mode as a clinic network runs it: Debian's mosquitto behind the exported password and ACL files, PostgreSQL,
/// two gateway processes in one MQTT 5 shared subscription group, 1,000 devices each logging in as itself. One
/// instance is killed with kill -9 mid-run and started again: every reading reaches the EHR exactly once, and per
/// device in effective-time order except where a resent reading arrived after a later one had been delivered.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class FleetTests(ITestOutputHelper output)
{
    private const int Readings = 20_000;
    private const string GatewayUser = "vitals-gateway";
    private const string GatewayPassword = "gw-Fleet-Secret-1";

    // 2 kinds x 500 = 1,000 devices, kinds without a pulse: one reading, one Observation. 300 readings/s: about 70 s.
    private static readonly string[] Fleet = ["--devices", "500", "--kinds", "body-temperature,body-weight", "--seed", "13"];

    [Fact]
    public async Task Two_instances_on_a_shared_subscription_one_killed_mid_run_every_reading_in_the_EHR_once_and_in_order()
    {
        var postgres = new PostgresServer();
        await postgres.InitializeAsync();
        try
        {
            await RunAsync(postgres);
        }
        finally
        {
            await postgres.DisposeAsync();
        }
    }

    private async Task RunAsync(PostgresServer postgres)
    {
        using var temp = new TempStore(postgres);
        var store = await temp.OpenAsync();

        // Every device bound to its own patient and given its own password, straight through the store (1,000 CLI
        // processes would take minutes); then exported for mosquitto as `devices export-mosquitto` does.
        var ids = await DeviceSimulatorProcess.DeviceIdsAsync(Fleet);
        Assert.Equal(1000, ids.Count);
        var patients = new Dictionary<string, string>();
        var credentials = new List<string>();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < ids.Count; i++)
        {
            var patient = $"Patient/fleet-{i + 1}";
            await store.Bindings.BindAsync(ids[i], null, PatientId.Parse(patient), Some.BoundLongAgo, CancellationToken.None);
            var password = $"pw-{i}-{Guid.NewGuid():N}"[..20];
            await store.Credentials.SetAsync(ids[i], MosquittoPasswordHash.Create(password, MosquittoAuthFiles.DefaultIterations).ToString(), now, CancellationToken.None);
            patients[ids[i]] = patient;
            credentials.Add($"{ids[i]} {password}");
        }
        var brokerDir = MosquittoBroker.NewDirectory();
        await MosquittoExport.WriteAsync(store, brokerDir, GatewayUser, GatewayPassword);
        var credentialsFile = Path.Combine(brokerDir, "devices.txt");
        await File.WriteAllLinesAsync(credentialsFile, credentials);

        await using var broker = await MosquittoBroker.StartAsync(
            config: MosquittoExport.Config(brokerDir),
            directory: brokerDir);
        // The sandbox as Medplum (its preset is identified by both instances) but with a write quota this run never
        // reaches: 20,000 Observations would take 40 minutes at Medplum's default 500 a minute.
        await using var ehr = await SandboxEhrProcess.StartAsync(extraArguments: ["--quota-per-minute", "1000000"]);
        await using var first = await GatewayProcess.StartAsync(ehr.BaseUrlText, Instance(broker, temp.ConnectionString!, "gw-fleet-1"));
        await using var second = await GatewayProcess.StartAsync(ehr.BaseUrlText, Instance(broker, temp.ConnectionString!, "gw-fleet-2"));

        await using var simulator = DeviceSimulatorProcess.Start(broker.Port,
            [.. Fleet, "--count", $"{Readings}", "--rate", "300", "--clients", "1000", "--credentials", credentialsFile, "--retry"]);
        await Eventually.TrueAsync(() => temp.Sql("SELECT count(*) FROM readings") >= 3000, TimeSpan.FromMinutes(2), "3,000 readings stored", TimeSpan.FromMilliseconds(50));
        await first.KillAsync();
        var storedAtCrash = temp.Sql("SELECT count(*) FROM readings");
        Assert.InRange(storedAtCrash, 3000, Readings - 1); // killed mid-run, not after
        await Task.Delay(TimeSpan.FromSeconds(2));
        await first.RestartAsync();

        var report = await DeviceSimulatorProcess.ReportAsync(simulator, TimeSpan.FromMinutes(3));
        Assert.Equal(Readings, report.GetProperty("acked").GetInt64());
        Assert.Equal(0, report.GetProperty("failed").GetInt64());

        long delivered = 0;
        try
        {
            await Eventually.TrueAsync(
                () => (delivered = temp.Sql("SELECT count(*) FROM readings WHERE state = 'delivered'")) >= Readings,
                TimeSpan.FromMinutes(2), "every reading delivered", TimeSpan.FromMilliseconds(500));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{delivered} of {Readings} readings delivered 2 min after the simulator finished; " +
                $"{temp.Sql("SELECT count(*) FROM readings")} stored, {temp.Sql("SELECT count(*) FROM readings WHERE state = 'dead'")} dead letters");
        }
        Assert.Equal(Readings, temp.Sql("SELECT count(*) FROM readings"));
        Assert.Equal(0, temp.Sql("SELECT count(*) FROM readings WHERE state <> 'delivered'"));

        // Both instances took a share of the group's messages (the restarted one counts from its restart).
        var (firstReceived, firstDuplicates) = await IngestCountersAsync(first);
        var (secondReceived, secondDuplicates) = await IngestCountersAsync(second);
        Assert.True(firstReceived > 0 && secondReceived > 0, $"received: restarted instance {firstReceived}, other {secondReceived}");

        var contents = await EhrContents.ReadAsync(ehr);
        Assert.Equal(Readings, contents.Observations.Count);
        contents.AssertNoDuplicates();
        contents.AssertSubjects(patients);
        var backwards = AssertPerDeviceOrder(contents, await StoredReadingsAsync(temp.ConnectionString!));
        output.WriteLine($"stored at the kill: {storedAtCrash}; simulator: {report.GetProperty("durationSeconds").GetDouble():F0} s, " +
            $"resent {report.GetProperty("resent").GetInt64()}; " +
            $"received/duplicates: restarted instance {firstReceived}/{firstDuplicates}, other {secondReceived}/{secondDuplicates}; backward steps explained by late arrivals: {backwards}");
    }

    /// <summary>
    /// For each device, the Observations in the order the EHR stored them (meta.lastUpdated; equal stamps are not
    /// ordered): whenever effective time goes backwards, the later-filed reading must have reached the gateway only
    /// after the earlier-filed one was delivered (a resend after the crash), since the gateway cannot recall what the
    /// EHR already holds.
    /// </summary>
    private static int AssertPerDeviceOrder(EhrContents contents, Dictionary<string, StoredReading> byServerId)
    {
        var filed = contents.Observations.Select(o =>
        {
            var serverId = "Observation/" + o.GetProperty("id").GetString();
            Assert.True(byServerId.TryGetValue(serverId, out var reading), $"{serverId} is in the EHR but no stored reading names it");
            var lastUpdated = DateTimeOffset.Parse(o.GetProperty("meta").GetProperty("lastUpdated").GetString()!, CultureInfo.InvariantCulture);
            return (Reading: reading!, LastUpdated: lastUpdated);
        }).ToList();
        Assert.Equal(Readings, filed.Select(f => f.Reading.Id).Distinct().Count());

        var violations = new List<string>();
        var backwards = 0;
        foreach (var device in filed.GroupBy(f => f.Reading.DeviceId))
        {
            var ordered = device.OrderBy(f => f.LastUpdated).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                var (earlier, later) = (ordered[i - 1], ordered[i]);
                if (later.LastUpdated == earlier.LastUpdated || later.Reading.EffectiveTime >= earlier.Reading.EffectiveTime) continue;
                backwards++;
                if (later.Reading.ReceivedAt <= earlier.Reading.DeliveredAt)
                {
                    violations.Add($"{device.Key}: reading {later.Reading.Id} (effective {later.Reading.EffectiveTime:O}, received {later.Reading.ReceivedAt:O}, filed {later.LastUpdated:O}) " +
                        $"filed after reading {earlier.Reading.Id} (effective {earlier.Reading.EffectiveTime:O}, received {earlier.Reading.ReceivedAt:O}, delivered {earlier.Reading.DeliveredAt:O}, filed {earlier.LastUpdated:O})");
                }
            }
        }
        Assert.True(violations.Count == 0, $"{violations.Count} of {backwards} backward steps are not explained by a late arrival:\n" + string.Join('\n', violations.Take(10)));
        return backwards;
    }

    private static async Task<(double Received, double Duplicates)> IngestCountersAsync(GatewayProcess gateway)
    {
        using var http = new HttpClient();
        var samples = PrometheusText.Parse(await http.GetStringAsync(new Uri(gateway.WebUrl + "/metrics")));
        return (PrometheusText.Value(samples, "vitals_readings_received_total"), PrometheusText.Value(samples, "vitals_readings_duplicates_total"));
    }

    private sealed record StoredReading(long Id, string DeviceId, DateTime EffectiveTime, DateTime ReceivedAt, DateTime DeliveredAt);

    /// <summary>The store's readings by the server ids the EHR answered with (readings.server_ids).</summary>
    private static async Task<Dictionary<string, StoredReading>> StoredReadingsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT id, device_id, effective_time, received_at, delivered_at, server_ids FROM readings WHERE state = 'delivered'", connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        var byServerId = new Dictionary<string, StoredReading>();
        while (await reader.ReadAsync())
        {
            var reading = new StoredReading(reader.GetInt64(0), reader.GetString(1), reader.GetDateTime(2), reader.GetDateTime(3), reader.GetDateTime(4));
            foreach (var serverId in reader.GetString(5).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                byServerId.Add(serverId, reading);
        }
        return byServerId;
    }

    private static Dictionary<string, string?> Instance(MosquittoBroker broker, string connectionString, string clientId) => new()
    {
        ["Storage:Provider"] = "Postgres",
        ["Storage:ConnectionString"] = connectionString,
        // A killed instance's claims return to the other one this soon.
        ["Storage:LeaseDuration"] = "00:00:10",
        ["Mqtt:Mode"] = "External",
        ["Mqtt:Port"] = broker.Port.ToString(CultureInfo.InvariantCulture),
        ["Mqtt:SharedGroup"] = "vitals-fleet",
        ["Mqtt:ClientId"] = clientId,
        ["Mqtt:Username"] = GatewayUser,
        ["Mqtt:Password"] = GatewayPassword,
        ["Mqtt:ReconnectMaxDelay"] = "00:00:01",
        // Backoff capped low so a retry after a transient failure does not hold the run up.
        ["Ehr:Retry:MaxDelay"] = "00:00:02",
    };

}
