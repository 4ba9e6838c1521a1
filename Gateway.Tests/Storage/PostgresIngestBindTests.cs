using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Storage;

/// <summary>
/// A bind on one instance while another commits readings of the same device (the CLI and a fleet's worker): on
/// PostgreSQL they are separate transactions on separate connections, which only the device's row lock orders.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresIngestBindTests(PostgresServer server) : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempStore _temp = new(server);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_bind_racing_commits_of_its_device_leaves_no_reading_in_quarantine_and_queues_each_once()
    {
        var worker = await _temp.OpenAsync();
        var cli = await _temp.OpenAsync();
        const int batches = 40, perBatch = 10;

        var commits = Task.Run(async () =>
        {
            for (var b = 0; b < batches; b++)
            {
                await worker.Ingest.CommitAsync(Some.ThermometerBatch("thermo-1", perBatch, b * perBatch), None);
            }
        });
        // Bind while the commits run (after the first few, before the last).
        await Eventually.TrueAsync(async () => (await worker.Status.GetOutboxStatusAsync(None)).Quarantined >= 3 * perBatch, TimeSpan.FromSeconds(30), "some readings quarantined");
        await cli.Bindings.BindAsync("thermo-1", null, PatientId.Parse("Patient/alice"), Some.BoundLongAgo, None);
        await commits;

        // Every reading committed before the bind was moved by it, every later one was queued: none is left behind.
        var status = await cli.Status.GetOutboxStatusAsync(None);
        Assert.Equal((0L, (long)batches * perBatch), (status.Quarantined, status.Pending));
        Assert.Equal(batches * perBatch, _temp.Sql("SELECT count(DISTINCT reading_id) FROM outbox"));
    }
}
