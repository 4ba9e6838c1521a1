using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.EndToEnd;

/// <summary>
/// The gateway against the sandbox EHR in its default Medplum mode (the bp profile misread, at most 8 entries in a
/// conditional transaction, a write quota answered 429 with only RateLimit): with Ehr:Preset left at auto it identifies
/// Medplum from the CapabilityStatement and delivers everything; forced to generic, the blood pressures are
/// dead-lettered with Medplum's slice message, which proves the sandbox emulates the refusal.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class MedplumPresetTests
{
    private static readonly string[] Fleet = ["--devices", "2", "--seed", "3", "--kinds", "blood-pressure", "--id-prefix", "mp"];

    [Fact]
    public async Task Auto_identifies_Medplum_logs_the_preset_and_delivers_every_blood_pressure_in_Bundles_of_at_most_8_entries()
    {
        await using var ehr = await SandboxEhrProcess.StartAsync();
        await using var gateway = await GatewayProcess.StartAsync(ehr.BaseUrlText, new Dictionary<string, string?> { ["Ehr:Batch:MaxSize"] = "50" });
        var line = await gateway.Process.WaitForLineAsync(l => l.Contains("EHR preset medplum", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains("Ehr:Compatibility:OmitProfiles=[http://hl7.org/fhir/StructureDefinition/bp]", line, StringComparison.Ordinal);
        Assert.Contains("Ehr:Batch:MaxEntries=8", line, StringComparison.Ordinal);
        var patients = await SimulatorToEhrTests.BindAllAsync(gateway, Fleet);

        await using var simulator = DeviceSimulatorProcess.Start(gateway.MqttPort, [.. Fleet, "--count", "60", "--rate", "60"]);
        var report = await DeviceSimulatorProcess.ReportAsync(simulator, TimeSpan.FromMinutes(2));
        Assert.Equal(60, report.GetProperty("acked").GetInt64());
        var outbox = await gateway.WaitForEmptyOutboxAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(60, outbox.GetProperty("delivered").GetInt64());
        Assert.Equal(0, outbox.GetProperty("deadLetters").GetInt64());
        var contents = await EhrContents.ReadAsync(ehr);
        Assert.Equal(EhrContents.DeliveredObservations(gateway.StorePath), contents.Observations.Count);
        contents.AssertNoDuplicates();
        contents.AssertSubjects(patients);
        contents.AssertValid();
        // The sandbox refused no transaction for its size: the gateway never sent one of more than 8 entries.
        using var stats = await ehr.StatsAsync();
        Assert.False(stats.RootElement.GetProperty("byStatus").TryGetProperty("400", out _), stats.RootElement.ToString());
    }

    [Fact]
    public async Task Forced_generic_dead_letters_every_blood_pressure_with_Medplums_slice_message()
    {
        await using var ehr = await SandboxEhrProcess.StartAsync();
        // Ehr:Batch:MaxSize 2: Bundles within the 8-entry limit, so that only the profile refuses them.
        await using var gateway = await GatewayProcess.StartAsync(ehr.BaseUrlText, new Dictionary<string, string?>
        {
            ["Ehr:Preset"] = "generic",
            ["Ehr:Batch:MaxSize"] = "2",
        });
        await SimulatorToEhrTests.BindAllAsync(gateway, Fleet);

        await using var simulator = DeviceSimulatorProcess.Start(gateway.MqttPort, [.. Fleet, "--count", "6", "--rate", "20"]);
        var report = await DeviceSimulatorProcess.ReportAsync(simulator, TimeSpan.FromMinutes(2));
        Assert.Equal(6, report.GetProperty("acked").GetInt64());
        var outbox = await gateway.WaitForEmptyOutboxAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(0, outbox.GetProperty("delivered").GetInt64());
        Assert.Equal(6, outbox.GetProperty("deadLetters").GetInt64());
        var (exit, list) = await gateway.CliAsync("outbox", "dead", "--limit", "100", "--details");
        Assert.Equal(0, exit);
        Assert.Contains("slice 'SystolicBP'", list, StringComparison.Ordinal);
        Assert.Equal(0, await ehr.CountAllObservationsAsync());
    }

    [Fact]
    public async Task The_quota_429_with_only_RateLimit_is_waited_out_and_everything_is_delivered()
    {
        // 40 writes a minute: a 60-reading run (one Bundle entry per Observation) crosses it and is told to wait.
        await using var ehr = await SandboxEhrProcess.StartAsync(extraArguments: ["--quota-per-minute", "40"]);
        await using var gateway = await GatewayProcess.StartAsync(ehr.BaseUrlText, new Dictionary<string, string?>
        {
            ["Ehr:Retry:MaxRetryAfter"] = "00:01:30",
        });
        string[] fleet = ["--devices", "2", "--seed", "4", "--kinds", "heart-rate", "--id-prefix", "q"];
        await SimulatorToEhrTests.BindAllAsync(gateway, fleet);

        await using var simulator = DeviceSimulatorProcess.Start(gateway.MqttPort, [.. fleet, "--count", "50", "--rate", "50"]);
        var report = await DeviceSimulatorProcess.ReportAsync(simulator, TimeSpan.FromMinutes(2));
        Assert.Equal(50, report.GetProperty("acked").GetInt64());
        var outbox = await gateway.WaitForEmptyOutboxAsync(TimeSpan.FromSeconds(150));

        Assert.Equal(50, outbox.GetProperty("delivered").GetInt64());
        Assert.Equal(0, outbox.GetProperty("deadLetters").GetInt64());
        using var stats = await ehr.StatsAsync();
        Assert.True(stats.RootElement.GetProperty("byStatus").TryGetProperty("429", out _), "the quota never throttled: " + stats.RootElement);
        var contents = await EhrContents.ReadAsync(ehr);
        Assert.Equal(EhrContents.DeliveredObservations(gateway.StorePath), contents.Observations.Count);
        contents.AssertNoDuplicates();
    }
}
