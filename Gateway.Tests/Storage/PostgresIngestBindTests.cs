using Npgsql;
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

    [Fact]
    public async Task A_bind_racing_two_instances_commits_of_its_devices_leaves_no_reading_in_quarantine_and_counts_each_reading()
    {
        var worker = await _temp.OpenAsync();
        var cli = await _temp.OpenAsync();
        const int batches = 40, perBatch = 10;

        // Two committers at once, as two instances of a fleet run them; each batch holds both devices.
        var commits = Enumerable.Range(0, 2).Select(lane => Task.Run(async () =>
        {
            for (var b = lane; b < batches; b += 2)
            {
                var batch = Some.ThermometerBatch("thermo-1", perBatch / 2, b * perBatch)
                    .Concat(Some.ThermometerBatch("thermo-2", perBatch / 2, b * perBatch)).ToList();
                await worker.Ingest.CommitAsync(batch, None);
            }
        })).ToArray();
        await Eventually.TrueAsync(async () => (await worker.Status.GetOutboxStatusAsync(None)).Quarantined >= 3 * perBatch, TimeSpan.FromSeconds(30), "some readings quarantined");
        await cli.Bindings.BindAsync("thermo-1", null, PatientId.Parse("Patient/alice"), Some.BoundLongAgo, None);
        await cli.Bindings.BindAsync("thermo-2", null, PatientId.Parse("Patient/bob"), Some.BoundLongAgo, None);
        await Task.WhenAll(commits);

        var status = await cli.Status.GetOutboxStatusAsync(None);
        Assert.Equal((0L, (long)batches * perBatch), (status.Quarantined, status.Pending));
        Assert.Equal(batches * perBatch, _temp.Sql("SELECT count(DISTINCT reading_id) FROM outbox"));
        // The devices' counters: no batch's update is lost to the other's.
        Assert.Equal(batches * perBatch, _temp.Sql("SELECT sum(readings) FROM devices"));
    }

    [Fact]
    public async Task A_binding_committed_while_a_batch_waits_for_its_device_is_seen_and_the_batch_queues_its_readings()
    {
        var worker = await _temp.OpenAsync();
        await worker.Ingest.CommitAsync(Some.ThermometerBatch("thermo-1", 1, 0), None);

        // Another instance's bind, holding the device's row lock while the batch comes: whatever the batch has done
        // by then, it must not commit readings as quarantined that the bind, committed first, did not see.
        await using var other = new NpgsqlConnection(_temp.ConnectionString);
        await other.OpenAsync();
        await using var tx = await other.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM devices WHERE device_id = 'thermo-1' FOR UPDATE", other, tx))
        {
            await lockRow.ExecuteNonQueryAsync();
        }
        var commit = worker.Ingest.CommitAsync(Some.ThermometerBatch("thermo-1", 5, 1), None);
        await Eventually.TrueAsync(() => Task.FromResult(_temp.Sql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") == 1),
            TimeSpan.FromSeconds(30), "the batch waits for the device's row lock");
        await using (var bind = new NpgsqlCommand(
            "INSERT INTO bindings (device_id, user_index, patient, bound_at) VALUES ('thermo-1', NULL, 'Patient/alice', '2000-01-01Z')", other, tx))
        {
            await bind.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();

        Assert.All(await commit, o => Assert.Equal(IngestOutcome.Queued, o));
        Assert.Equal(5, _temp.Sql("SELECT count(*) FROM readings WHERE state = 'queued' AND patient = 'Patient/alice'"));
        Assert.Equal(5, _temp.Sql("SELECT count(*) FROM outbox"));
        Assert.Equal(6, _temp.Sql("SELECT readings FROM devices WHERE device_id = 'thermo-1'"));
    }
}
