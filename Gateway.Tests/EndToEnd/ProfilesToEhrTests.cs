using Microsoft.Data.Sqlite;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.EndToEnd;

/// <summary>
/// Each Ehr:Profile end to end with real processes (simulator -> gateway -> sandbox EHR): every reading in the EHR
/// exactly once, on its patient, valid. Then a forced resend of everything: the gateway is killed, every delivered
/// reading is put back into the outbox as if each 2xx had been lost before it was recorded (for single-post also the
/// ledger's acknowledgements, as if the gateway had died between POST and ledger write), and the gateway restarts.
/// The EHR must still hold each reading once.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ProfilesToEhrTests
{
    [Theory]
    [InlineData("fhir-transaction")]
    [InlineData("single-post")]
    [InlineData("fhir-conditional")]
    public async Task Every_reading_reaches_the_EHR_once_even_when_all_of_them_are_sent_again(string profile)
    {
        await using var ehr = await SandboxEhrProcess.StartAsync();
        await using var gateway = await GatewayProcess.StartAsync(ehr.BaseUrlText, new Dictionary<string, string?>
        {
            ["Ehr:Profile"] = profile,
            ["Ehr:Batch:MaxSize"] = "20",
        });
        // The start-up check read the sandbox's CapabilityStatement and found what the profile needs.
        await gateway.Process.WaitForLineAsync(l => l.Contains("advertises what Ehr:Profile " + profile, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        string[] fleet = ["--devices", "2", "--seed", "5"];
        var patients = await SimulatorToEhrTests.BindAllAsync(gateway, fleet);

        await using var simulator = DeviceSimulatorProcess.Start(gateway.MqttPort, [.. fleet, "--count", "240", "--rate", "120"]);
        var report = await DeviceSimulatorProcess.ReportAsync(simulator, TimeSpan.FromMinutes(2));
        Assert.Equal(240, report.GetProperty("acked").GetInt64());
        var outbox = await gateway.WaitForEmptyOutboxAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(240, outbox.GetProperty("delivered").GetInt64());
        Assert.Equal(0, outbox.GetProperty("deadLetters").GetInt64());
        var first = await EhrContents.ReadAsync(ehr);
        var observations = EhrContents.DeliveredObservations(gateway.StorePath);
        Assert.Equal(observations, first.Observations.Count);

        await gateway.KillAsync();
        Assert.Equal(240, RequeueEverything(gateway.StorePath));
        await gateway.RestartAsync();
        await WaitForStatusPageAsync(gateway);
        var again = await gateway.WaitForEmptyOutboxAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(0, again.GetProperty("pending").GetInt64());
        Assert.Equal(0, again.GetProperty("deadLetters").GetInt64());

        var contents = await EhrContents.ReadAsync(ehr);
        Assert.Equal(observations, contents.Observations.Count);
        Assert.Equal(observations, EhrContents.DeliveredObservations(gateway.StorePath));
        contents.AssertNoDuplicates();
        contents.AssertSubjects(patients);
        contents.AssertValid();
    }

    /// <summary>The status page starts a moment after the broker the restart waits for.</summary>
    private static async Task WaitForStatusPageAsync(GatewayProcess gateway)
    {
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await gateway.StatusAsync();
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "the status page answers", TimeSpan.FromMilliseconds(100));
    }

    /// <summary>Puts every delivered reading back into the outbox and marks every ledger entry "outcome unknown".</summary>
    private static int RequeueEverything(string storePath)
    {
        using var connection = new SqliteConnection($"Data Source={storePath};Pooling=False");
        connection.Open();
        using var tx = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = """
            INSERT INTO outbox (reading_id, effective_time, attempts, next_attempt_at, enqueued_at)
            SELECT id, effective_time, 0, '2000-01-01T00:00:00.0000000Z', '2000-01-01T00:00:00.0000000Z' FROM readings WHERE state = 'delivered';
            UPDATE readings SET state = 'queued', delivered_at = NULL, server_ids = NULL WHERE state = 'delivered';
            UPDATE delivery_ledger SET state = 'sending', server_id = NULL WHERE resource_key LIKE 'Observation|%';
            SELECT count(*) FROM outbox;
            """;
        var count = Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        tx.Commit();
        return count;
    }
}
