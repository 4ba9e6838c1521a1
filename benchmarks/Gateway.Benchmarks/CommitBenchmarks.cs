using System.Text;
using BenchmarkDotNet.Attributes;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Benchmarks;

/// <summary>
/// One group commit of a batch of bound readings into a real SQLite file (WAL, synchronous=FULL): the store's share of
/// ingest. Readings/s = BatchSize / mean time.
/// </summary>
[MemoryDiagnoser]
public class CommitBenchmarks
{
    private BenchStore _store = null!;
    private string _dir = null!;
    private int _sequence;

    [Params(100, 500)] public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "vg-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_dir);
        _store = BenchStore.OpenAsync(Path.Combine(_dir, "bench.db")).GetAwaiter().GetResult();
        for (var d = 0; d < 100; d++)
            _store.Bindings.BindAsync($"thermo-{d:0000}", null, PatientId.Parse($"Patient/p{d}"), DateTimeOffset.UnixEpoch, default).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark]
    public Task<IReadOnlyList<IngestOutcome>> CommitBatch()
    {
        var now = DateTimeOffset.UtcNow;
        var batch = new IngestRecord[BatchSize];
        for (var i = 0; i < batch.Length; i++)
        {
            var n = Interlocked.Increment(ref _sequence);
            var device = $"thermo-{n % 100:0000}";
            var time = now.AddTicks(n).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            var reading = new Reading
            {
                DeviceId = device,
                Kind = VitalKind.BodyTemperature,
                EffectiveTime = now,
                DeviceTime = time,
                MeasurementId = n.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Value = new Quantity(37.2m, Ucum.Celsius),
            };
            var payload = Encoding.UTF8.GetBytes($$"""{"value": 37.2, "unit": "Cel", "time": "{{time}}", "id": {{n}}}""");
            batch[i] = new IngestRecord.Accepted($"mqtt vitals/{device}/body-temperature from client bench", now, payload, reading);
        }
        return _store.Ingest.CommitAsync(batch, default);
    }
}
