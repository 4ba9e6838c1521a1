using Microsoft.Data.Sqlite;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.EndToEnd;

/// <summary>
/// Exactly once across the two things that go wrong in the field: the gateway dies (kill -9, no shutdown code runs)
/// while a QoS 1 publisher streams, and the EHR goes away for a while.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class CrashAndOutageTests
{
    private const int Readings = 2000;

    // Devices of kinds without a pulse: one reading, one Observation, so the EHR count is the reading count.
    private static readonly string[] Fleet = ["--devices", "5", "--kinds", "body-temperature,body-weight,respiratory-rate", "--seed", "11"];

    private static readonly Dictionary<string, string?> QuickRetries = new()
    {
        // Backoff capped low so the test does not wait a minute for the next attempt after the EHR is back.
        ["Ehr:Retry:MaxDelay"] = "00:00:02",
    };

    // The sandbox as Medplum but with a quota these runs never reach: they are about crashes and outages, not
    // throttling (MedplumPresetTests and the chaos run cross the quota).
    private static readonly string[] UnthrottledMedplum = ["--quota-per-minute", "1000000"];

    [Fact]
    public async Task Kill_9_while_readings_stream_in_then_restart_every_reading_is_in_the_EHR_exactly_once()
    {
        await using var ehr = await SandboxEhrProcess.StartAsync(extraArguments: UnthrottledMedplum);
        await using var gateway = await GatewayProcess.StartAsync(ehr.BaseUrlText, QuickRetries);
        var patients = await SimulatorToEhrTests.BindAllAsync(gateway, Fleet);

        await using var simulator = DeviceSimulatorProcess.Start(gateway.MqttPort, [.. Fleet, "--count", $"{Readings}", "--rate", "400", "--clients", "3", "--retry"]);
        await WaitForStoredReadingsAsync(gateway.StorePath, atLeast: 300);
        await gateway.KillAsync();
        var storedAtCrash = StoreFile.CountReadings(gateway.StorePath);
        Assert.InRange(storedAtCrash, 300, Readings - 1); // killed mid-stream, not before or after
        await Task.Delay(TimeSpan.FromSeconds(1));
        await gateway.RestartAsync();

        var report = await DeviceSimulatorProcess.ReportAsync(simulator, TimeSpan.FromMinutes(3));
        Assert.Equal(Readings, report.GetProperty("acked").GetInt64());
        Assert.Equal(0, report.GetProperty("failed").GetInt64());
        // The crash cost the publisher its unacknowledged publishes; it sent them again, some of them already committed.
        Assert.True(report.GetProperty("resent").GetInt64() > 0, "the crash should have left publishes to resend");

        var outbox = await gateway.WaitForEmptyOutboxAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(0, outbox.GetProperty("pending").GetInt64());
        Assert.Equal(Readings, StoreFile.CountReadings(gateway.StorePath));
        var contents = await EhrContents.ReadAsync(ehr);
        Assert.Equal(Readings, contents.Observations.Count);
        contents.AssertNoDuplicates();
        contents.AssertSubjects(patients);
    }

    [Fact]
    public async Task The_EHR_down_for_30_seconds_mid_stream_every_reading_is_delivered_after_it_returns_none_twice()
    {
        await using var ehr = await SandboxEhrProcess.StartAsync(extraArguments: UnthrottledMedplum);
        await using var gateway = await GatewayProcess.StartAsync(ehr.BaseUrlText, QuickRetries);
        var patients = await SimulatorToEhrTests.BindAllAsync(gateway, Fleet);

        // 600 readings over about 20 s; the EHR disappears 5 s in and stays away for 30 s.
        await using var simulator = DeviceSimulatorProcess.Start(gateway.MqttPort, [.. Fleet, "--count", "600", "--rate", "30"]);
        await Task.Delay(TimeSpan.FromSeconds(5));
        await ehr.OutageAsync(TimeSpan.FromSeconds(30));
        var report = await DeviceSimulatorProcess.ReportAsync(simulator, TimeSpan.FromMinutes(2));
        Assert.Equal(600, report.GetProperty("acked").GetInt64());

        var during = (await gateway.StatusAsync()).GetProperty("outbox");
        Assert.True(during.GetProperty("pending").GetInt64() > 0, "readings should be waiting while the EHR is away");

        var outbox = await gateway.WaitForEmptyOutboxAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(0, outbox.GetProperty("pending").GetInt64());
        Assert.Equal(600, outbox.GetProperty("delivered").GetInt64());
        Assert.Equal(0, outbox.GetProperty("deadLetters").GetInt64());
        var contents = await EhrContents.ReadAsync(ehr);
        Assert.Equal(600, contents.Observations.Count);
        contents.AssertNoDuplicates();
        contents.AssertSubjects(patients);
    }

    private static async Task WaitForStoredReadingsAsync(string storePath, int atLeast)
    {
        await Eventually.TrueAsync(() => StoreFile.CountReadings(storePath) >= atLeast, TimeSpan.FromSeconds(60), $"at least {atLeast} readings stored", TimeSpan.FromMilliseconds(20));
    }
}
