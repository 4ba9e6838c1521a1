using System.Diagnostics;
using System.Globalization;
using System.Text;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Benchmarks;

/// <summary>
/// The raw store insert rate, the limit ingest-to-durable is measured against: bound readings committed through
/// <see cref="IIngestCommit"/> by one writer, batch after batch, for each batch size, on SQLite (a file,
/// synchronous=FULL) or PostgreSQL (fsync and synchronous_commit on). Same readings, same batch sizes on both.
/// </summary>
/// <remarks>
/// <c>store-insert --provider sqlite --store DIR | --provider postgres --connection-string CS
/// [--batches 1,10,100,500] [--readings 20000] [--seconds 10] [--devices 100]</c>: each batch size stops at the readings or the
/// seconds, whichever comes first, on a store of its own (SQLite: a file per size; PostgreSQL: the database
/// emptied first). One line per batch size: readings/s and commits/s.
/// </remarks>
internal static class StoreInsert
{

    public static async Task<int> RunAsync(string[] args)
    {
        var provider = FleetArgs.Value(args, "--provider") ?? "sqlite";
        var batches = (FleetArgs.Value(args, "--batches") ?? "1,10,100,500").Split(',').Select(int.Parse).ToArray();
        var readings = int.Parse(FleetArgs.Value(args, "--readings") ?? "20000", CultureInfo.InvariantCulture);
        var seconds = double.Parse(FleetArgs.Value(args, "--seconds") ?? "10", CultureInfo.InvariantCulture);
        // How many devices the readings come from: a batch touches one index page per device and index, so a fleet's
        // spread decides how many pages each commit writes.
        var devices = int.Parse(FleetArgs.Value(args, "--devices") ?? "100", CultureInfo.InvariantCulture);
        Console.WriteLine($"provider {provider}: batch size, readings, seconds, readings/s, commits/s");
        foreach (var size in batches)
        {
            using var store = await OpenAsync(provider, args, size);
            for (var d = 0; d < devices; d++)
                await store.Bindings.BindAsync($"thermo-{d:0000}", null, PatientId.Parse($"Patient/p{d}"), DateTimeOffset.UnixEpoch, default);
            var sequence = 0;
            // Untimed warm-up (JIT, prepared statements, the pools): 200 readings, then the clock starts.
            while (sequence < 200)
                await store.Ingest.CommitAsync(Batch(Math.Min(size, 50), devices, ref sequence), default);
            var warm = sequence;
            var watch = Stopwatch.StartNew();
            var commits = 0;
            while (sequence - warm < readings && watch.Elapsed.TotalSeconds < seconds)
            {
                var outcomes = await store.Ingest.CommitAsync(Batch(size, devices, ref sequence), default);
                if (outcomes.Any(o => o != IngestOutcome.Queued))
                    throw new InvalidOperationException("a bench reading was not queued");
                commits++;
            }
            watch.Stop();
            sequence -= warm;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{provider} batch {size,4}: {sequence,6} readings in {watch.Elapsed.TotalSeconds,6:F2} s = {sequence / watch.Elapsed.TotalSeconds,8:F0} readings/s, {commits / watch.Elapsed.TotalSeconds,7:F0} commits/s"));
        }
        return 0;
    }

    private static async Task<BenchStore> OpenAsync(string provider, string[] args, int size)
    {
        if (provider == "sqlite")
        {
            var dir = FleetArgs.Store(args);
            Directory.CreateDirectory(dir);
            return await BenchStore.OpenAsync(Path.Combine(dir, $"insert-{size}.db"));
        }
        var cs = FleetArgs.Value(args, "--connection-string") ?? throw new ArgumentException("--connection-string is required for postgres");
        var store = await BenchStore.OpenAsync(new Dictionary<string, string?> { ["Storage:Provider"] = "Postgres", ["Storage:ConnectionString"] = cs });
        // A store of its own per batch size, as the SQLite files are: the tables emptied, the schema kept.
        await using var connection = new Npgsql.NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var truncate = new Npgsql.NpgsqlCommand(
            "TRUNCATE outbox, dead_letters, readings, bindings, devices, rejected RESTART IDENTITY; UPDATE counters SET value = 0", connection);
        await truncate.ExecuteNonQueryAsync();
        return store;
    }

    private static IngestRecord[] Batch(int size, int devices, ref int sequence)
    {
        var now = DateTimeOffset.UtcNow;
        var batch = new IngestRecord[size];
        for (var i = 0; i < size; i++)
        {
            var n = ++sequence;
            var device = $"thermo-{n % devices:0000}";
            var time = now.AddTicks(n).ToString("O", CultureInfo.InvariantCulture);
            var reading = new Reading
            {
                DeviceId = device,
                Kind = VitalKind.BodyTemperature,
                EffectiveTime = now,
                DeviceTime = time,
                MeasurementId = n.ToString(CultureInfo.InvariantCulture),
                Value = new Quantity(37.2m, Ucum.Celsius),
            };
            var payload = Encoding.UTF8.GetBytes($$"""{"value": 37.2, "unit": "Cel", "time": "{{time}}", "id": {{n}}}""");
            batch[i] = new IngestRecord.Accepted($"mqtt vitals/{device}/body-temperature from client bench", now, payload, reading);
        }
        return batch;
    }
}
