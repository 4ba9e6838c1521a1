using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using Vitals.Devices;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Ingest.Mqtt;

namespace Vitals.Gateway.Benchmarks;

/// <summary>The per-message hot path of ingest: JSON payload -> Reading, through the worker's MessageDecoder (the topic parsed once, in set-up).</summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private readonly MessageDecoder _decoder = new(Options.Create(new IngestOptions { TimeZone = "UTC" }));
    private IngestMessage _temperature = null!, _bloodPressure = null!, _weight = null!, _malformed = null!;

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UtcNow;
        IngestMessage M(string topic, string json) =>
            MqttPublish.TryCreateMessage(topic, "bench", Encoding.UTF8.GetBytes(json), now, out var m, out var e) ? m : throw new InvalidOperationException(e.ToString());
        _temperature = M("vitals/thermo-0001/body-temperature", """{"value": 37.25, "unit": "Cel", "time": "2026-11-25T08:30:00+01:00", "id": 4711, "site": "oral"}""");
        _bloodPressure = M("vitals/cuff-0001/blood-pressure", """{"systolic": 128, "diastolic": 82, "mean": 97, "pulse": 64, "unit": "mmHg", "time": "2026-11-25T08:30:00+01:00", "id": "A-17", "status": ["irregular-pulse"]}""");
        _weight = M("vitals/scale-0001/body-weight", """{"value": 165.4, "unit": "lb", "time": "2026-11-25T07:02:11Z", "id": 9}""");
        _malformed = M("vitals/cuff-0001/blood-pressure", """{"systolic": 120, "diastolic": 130, "unit": "mmHg", "time": "2026-11-25T08:30:00+01:00"}""");
    }

    [Benchmark] public bool Temperature() => _decoder.TryDecode(_temperature, out _, out _);
    [Benchmark] public bool BloodPressure() => _decoder.TryDecode(_bloodPressure, out _, out _);
    [Benchmark] public bool Weight() => _decoder.TryDecode(_weight, out _, out _);
    [Benchmark] public bool Implausible() => _decoder.TryDecode(_malformed, out _, out _);
}
