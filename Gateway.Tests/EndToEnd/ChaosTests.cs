using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Vitals.Gateway.Tests.EndToEnd;

/// <summary>
/// Issue 4's chaos run with real processes: 2,000 readings stream from the device simulator (QoS 1, resending what
/// was not acknowledged) into the gateway executable, which is killed with SIGKILL at a random moment and restarted,
/// while the sandbox EHR goes down for 30 s in the middle. The EHR refuses (422) every Observation of one device
/// by a business rule: those readings are the ones made invalid on purpose. Afterwards, counted by identifier, every
/// other reading's Observations are in the EHR exactly once, and the refused readings, and only they, are dead
/// letters with the EHR's reason. The sandbox runs in its default Medplum mode (so the gateway's medplum preset is
/// in play) with the plan's fault switches on throughout: every n-th write 429 or 503 with Retry-After, added latency,
/// and a write quota that is crossed (429 with only RateLimit). The seed (CHAOS_SEED) is printed; scripts/chaos.sh runs
/// this ten times; CHAOS_POISON=1 adds a poisoned reading (opt-in until the loop isolates it, ChaosPlan).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ChaosTests(ITestOutputHelper output)
{
    private const string RefusalReason = "chaos: device not registered with this EHR";

    // Two devices of each kind: blood pressure and SpO2 carry a pulse (two Observations per reading), the others one.
    private static readonly string[] Fleet = ["--devices", "2"];

    private static readonly Dictionary<string, string?> Settings = new()
    {
        // Backoff capped low so the run does not wait a minute for the next attempt after the EHR is back.
        ["Ehr:Retry:MaxDelay"] = "00:00:02",
        // Named, not auto: a restart during the outage cannot read the CapabilityStatement, and until it can, writes go
        // out without the preset (known gap, issue 12: the loop should wait for the identification).
        ["Ehr:Preset"] = "medplum",
    };

    [Fact]
    public async Task Killed_at_a_random_moment_with_the_EHR_down_for_30_s_every_valid_reading_is_in_the_EHR_once_and_only_refused_ones_are_dead_letters()
    {
        var started = Stopwatch.StartNew();
        var deviceIds = await DeviceSimulatorProcess.DeviceIdsAsync(Fleet);
        var plan = ChaosPlan.From(ChaosPlan.SeedFromEnvironment(), deviceIds.Count);
        output.WriteLine(plan.ToString());
        var refusedDevice = deviceIds[plan.RefusedDeviceIndex];

        // The sandbox in its default Medplum mode (the gateway identifies it and applies its preset), with this run's
        // fault switches on for the whole run.
        await using var ehr = await SandboxEhrProcess.StartAsync();
        await ehr.RefuseAsync("Observation", Regex.Escape(refusedDevice) + "(?![0-9])", RefusalReason);
        await ehr.InjectEveryAsync(plan.EveryStatus, plan.Every, TimeSpan.FromSeconds(1));
        await ehr.SetDelayAsync(plan.Latency);
        await ehr.SetMedplumAsync($"writesPerMinute={plan.WritesPerMinute}");
        await using var gateway = await GatewayProcess.StartAsync(ehr.BaseUrlText, Settings);
        await SimulatorToEhrTests.BindAllAsync(gateway, Fleet);

        await using var simulator = DeviceSimulatorProcess.Start(gateway.MqttPort,
            [.. Fleet, "--seed", $"{plan.SimulatorSeed}", "--count", $"{ChaosPlan.Readings}", "--rate", $"{ChaosPlan.Rate}", "--clients", "3", "--retry"]);
        var streamStarted = Stopwatch.StartNew();
        long storedAtKill = -1;
        string? poisoned = null;
        var chaos = Task.WhenAll(
            Task.Run(async () =>
            {
                if (plan.PoisonAt is not { } poisonAt)
                    return;
                await Task.Delay(poisonAt);
                // The newest stored reading of a device the EHR does not refuse: most likely still to be sent.
                var candidate = ReadStore(gateway.StorePath).LastOrDefault(r => r.DeviceId != refusedDevice);
                if (candidate is null)
                    return;
                poisoned = candidate.ObservationIdentifiers[0];
                await ehr.PoisonAsync(poisoned);
                output.WriteLine($"poisoned one reading at {streamStarted.Elapsed.TotalSeconds:0.0} s");
            }),
            Task.Run(async () =>
            {
                await Task.Delay(plan.KillAt);
                await gateway.KillAsync();
                storedAtKill = StoreFile.CountReadings(gateway.StorePath);
                output.WriteLine($"killed at {streamStarted.Elapsed.TotalSeconds:0.0} s with {storedAtKill} readings stored");
                await Task.Delay(plan.RestartAfter);
                await gateway.RestartAsync();
                output.WriteLine($"restarted at {streamStarted.Elapsed.TotalSeconds:0.0} s");
            }),
            Task.Run(async () =>
            {
                await Task.Delay(plan.OutageAt);
                await ehr.OutageAsync(plan.OutageFor);
                output.WriteLine($"EHR down at {streamStarted.Elapsed.TotalSeconds:0.0} s");
                await Task.Delay(plan.OutageFor);
                await ehr.WaitUntilAvailableAsync(TimeSpan.FromSeconds(30));
                output.WriteLine($"EHR back at {streamStarted.Elapsed.TotalSeconds:0.0} s");
            }));

        var report = await DeviceSimulatorProcess.ReportAsync(simulator, TimeSpan.FromMinutes(3));
        await chaos;
        // Three minutes: a crossed quota alone can hold delivery for up to a minute (its window).
        var outbox = await gateway.WaitForEmptyOutboxAsync(TimeSpan.FromMinutes(3));
        output.WriteLine($"outbox empty at {streamStarted.Elapsed.TotalSeconds:0.0} s: {outbox}");
        using (var sandboxStats = await ehr.StatsAsync())
            output.WriteLine($"sandbox answers by status: {sandboxStats.RootElement.GetProperty("byStatus")}");

        var stored = ReadStore(gateway.StorePath);
        // A poisoned reading (opt-in) is expected in the EHR only if it got there before the poison did.
        var poisonedReading = poisoned is null ? null : stored.Single(r => r.ObservationIdentifiers.Contains(poisoned));
        var expected = stored.Where(r => r.DeviceId != refusedDevice && r != poisonedReading)
            .SelectMany(r => r.ObservationIdentifiers).ToHashSet(StringComparer.Ordinal);
        var refused = stored.Where(r => r.DeviceId == refusedDevice).ToList();
        var inEhr = (await ehr.SearchAllAsync("Observation"))
            .Select(o => o.GetProperty("identifier")[0].GetProperty("value").GetString()!)
            .GroupBy(i => i, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        if (poisonedReading is not null)
        {
            foreach (var id in poisonedReading.ObservationIdentifiers)
                inEhr.Remove(id);
        }
        var dead = stored.Where(r => r.State == "dead" && r != poisonedReading).ToList();
        var wrongDead = dead.Count(r => r.DeviceId != refusedDevice || r.DeadHttpStatus != 422
            || r.DeadResponse?.Contains("Refused by rule: " + RefusalReason, StringComparison.Ordinal) != true
            || r.DeadReason?.StartsWith("HTTP 422 from the EHR on POST ", StringComparison.Ordinal) != true);

        var result = new ChaosReport(
            plan.Seed,
            ChaosPlan.Readings,
            Acked: report.GetProperty("acked").GetInt64(),
            Stored: stored.Count,
            ExpectedObservations: expected.Count,
            DeliveredOnce: inEhr.Count(kv => kv.Value == 1 && expected.Contains(kv.Key)),
            Duplicates: inEhr.Count(kv => kv.Value > 1),
            Missing: expected.Count(i => !inEhr.ContainsKey(i)),
            Unexpected: inEhr.Keys.Count(i => !expected.Contains(i)),
            DeadLetters: dead.Count,
            ExpectedDeadLetters: refused.Count,
            WrongDeadLetters: wrongDead,
            KillAtSeconds: Math.Round(plan.KillAt.TotalSeconds, 1),
            StoredAtKill: storedAtKill,
            OutageAtSeconds: Math.Round(plan.OutageAt.TotalSeconds, 1),
            DurationSeconds: Math.Round(started.Elapsed.TotalSeconds, 1),
            Switches: plan.Switches);
        result.WriteIfRequested();
        output.WriteLine(result.ToString());

        var replay = $"(replay with {ChaosPlan.SeedVariable}={plan.Seed}) {result}";
        Assert.True(result.Acked == ChaosPlan.Readings, $"the simulator's readings were not all acknowledged {replay}");
        Assert.True(report.GetProperty("failed").GetInt64() == 0, $"publishes failed {replay}");
        Assert.True(result.Stored == ChaosPlan.Readings, $"the store holds {result.Stored} readings {replay}");
        Assert.True(outbox.GetProperty("pending").GetInt64() == 0, $"the outbox did not drain {replay}");
        Assert.True(refused.Count > 0, $"the refused device sent nothing {replay}");
        Assert.True(result.Duplicates == 0, $"Observations filed twice {replay}");
        Assert.True(result.Missing == 0, $"Observations missing from the EHR {replay}");
        Assert.True(result.Unexpected == 0, $"refused or unknown Observations in the EHR {replay}");
        Assert.True(result.DeadLetters == result.ExpectedDeadLetters && result.WrongDeadLetters == 0, $"dead letters other than the refused readings {replay}");
        Assert.True(result.Passed, replay);

        // What an operator sees: each refused reading listed with the EHR's reason.
        var (exit, list) = await gateway.CliAsync("outbox", "dead", "--limit", "100000");
        Assert.Equal(0, exit);
        Assert.Equal(refused.Count, list.Split('\n').Count(l => l.Contains(refusedDevice, StringComparison.Ordinal) && l.Contains("HTTP 422", StringComparison.Ordinal)));
    }

    /// <summary>One stored reading, the identifiers its Observations carry (computed with the gateway's own mapper and
    /// default options, as the gateway under test runs), and its dead letter if it has one.</summary>
    private sealed record StoredReading(
        string DeviceId, string State, IReadOnlyList<string> ObservationIdentifiers, string? DeadReason, int? DeadHttpStatus, string? DeadResponse);

    private static List<StoredReading> ReadStore(string storePath)
    {
        var mapper = new ReadingMapper(Options.Create(new FhirOptions()));
        using var connection = new SqliteConnection($"Data Source={storePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT r.device_id, r.state, r.reading_json, r.patient, d.reason, d.http_status, d.response
            FROM readings r LEFT JOIN dead_letters d ON d.reading_id = r.id
            """;
        using var reader = command.ExecuteReader();
        var readings = new List<StoredReading>();
        while (reader.Read())
        {
            var reading = ReadingJson.Deserialize(reader.GetString(2));
            var mapped = mapper.Map(reading, PatientId.Parse(reader.GetString(3)));
            readings.Add(new StoredReading(
                reader.GetString(0),
                reader.GetString(1),
                [.. mapped.Observations.Select(o => o.Identifier[0].Value!)],
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetInt32(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }
        return readings;
    }
}
