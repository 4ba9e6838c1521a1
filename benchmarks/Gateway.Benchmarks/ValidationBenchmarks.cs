using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Benchmarks;

/// <summary>
/// Ehr:ValidateBeforeSend: what validating one mapped reading costs once the profiles are compiled (the warm-up in
/// GlobalSetup pays the cold start). Readings differ per call (value, time, 10 devices), as in the delivery loop:
/// re-validating one instance is faster than the loop ever sees. Memory: the <c>validator-memory</c> verb.
/// </summary>
[MemoryDiagnoser]
public class ValidationBenchmarks
{
    private const int Distinct = 64;
    private readonly ObservationValidator _validator = new(TimeProvider.System, NullLogger<ObservationValidator>.Instance);
    private MappedReading[] _temperatures = [];
    private MappedReading[] _pressures = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var mapper = new ReadingMapper(Options.Create(new FhirOptions()));
        var patient = PatientId.Parse("Patient/123");
        _temperatures = [.. Enumerable.Range(0, Distinct).Select(i => mapper.Map(Temperature(i), patient))];
        _pressures = [.. Enumerable.Range(0, Distinct).Select(i => mapper.Map(BloodPressure(i), patient))];
        foreach (var mapped in _temperatures.Concat(_pressures))
        {
            var result = _validator.Validate(mapped);
            if (!result.IsValid) throw new InvalidOperationException(result.Summary());
        }
    }

    /// <summary>Device (remembered after its first validation) + one bodytemp Observation.</summary>
    [Benchmark] public bool ValidateTemperature() => _validator.Validate(_temperatures[_next++ % Distinct]).IsValid;

    /// <summary>Device + bp panel (3 components) + heartrate Observation.</summary>
    [Benchmark] public bool ValidateBloodPressure() => _validator.Validate(_pressures[_next++ % Distinct]).IsValid;

    internal static Reading Temperature(int i) => new()
    {
        DeviceId = $"thermo-{i % 10:0000}",
        Kind = VitalKind.BodyTemperature,
        EffectiveTime = new DateTimeOffset(2026, 11, 25, 8, 30, 0, TimeSpan.FromHours(1)).AddMinutes(i),
        DeviceTime = "2026-11-25T08:30:00+01:00",
        MeasurementId = $"{i}",
        Value = new Quantity(36.0m + (i % 20) / 10m, Ucum.Celsius),
    };

    internal static Reading BloodPressure(int i) => new()
    {
        DeviceId = $"cuff-{i % 10:0000}",
        Kind = VitalKind.BloodPressure,
        EffectiveTime = new DateTimeOffset(2026, 11, 25, 8, 30, 0, TimeSpan.FromHours(1)).AddMinutes(i),
        DeviceTime = "2026-11-25T08:30:00+01:00",
        MeasurementId = $"{i}",
        Systolic = new Quantity(110m + i % 30, Ucum.MillimetreMercury),
        Diastolic = new Quantity(70m + i % 15, Ucum.MillimetreMercury),
        MeanArterial = new Quantity(90m, Ucum.MillimetreMercury),
        Pulse = new Quantity(60m + i % 20, Ucum.PerMinute),
    };
}
