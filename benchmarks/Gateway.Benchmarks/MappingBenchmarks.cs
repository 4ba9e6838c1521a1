using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Benchmarks;

/// <summary>Reading -> FHIR Observations and their JSON: what delivery does once per reading.</summary>
[MemoryDiagnoser]
public class MappingBenchmarks
{
    private readonly ReadingMapper _mapper = new(Options.Create(new FhirOptions()));
    private readonly PatientId _patient = PatientId.Parse("Patient/123");
    private readonly Reading _bp = new()
    {
        DeviceId = "cuff-0001",
        Kind = VitalKind.BloodPressure,
        EffectiveTime = new DateTimeOffset(2026, 11, 25, 8, 30, 0, TimeSpan.FromHours(1)),
        DeviceTime = "2026-11-25T08:30:00+01:00",
        MeasurementId = "17",
        Systolic = new Quantity(128m, Ucum.MillimetreMercury),
        Diastolic = new Quantity(82m, Ucum.MillimetreMercury),
        MeanArterial = new Quantity(97m, Ucum.MillimetreMercury),
        Pulse = new Quantity(64m, Ucum.PerMinute),
    };

    [Benchmark] public MappedReading MapBloodPressure() => _mapper.Map(_bp, _patient);

    [Benchmark]
    public int MapAndSerializeBloodPressure()
    {
        var mapped = _mapper.Map(_bp, _patient);
        var total = 0;
        foreach (var o in mapped.Observations) total += FhirJson.SerializeToUtf8Bytes(o).Length;
        return total;
    }
}
