using BenchmarkDotNet.Attributes;
using Vitals.Devices;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Patients;

namespace Vitals.Gateway.Benchmarks;

/// <summary>
/// The de-duplication identifier (docs/fhir.md, "Identifiers"): the key of a reading, the hash input, and the value.
/// What the million-pair property test spends its time on, and what mapping pays per Observation.
/// </summary>
[MemoryDiagnoser]
public class IdentifierBenchmarks
{
    private static readonly MeasurementCode Panel = VitalSignCodes.For(VitalKind.BloodPressure).Code;
    private readonly PatientId _patient = PatientId.Parse("Patient/123");
    private readonly Reading _bp = new()
    {
        DeviceId = "00:1C:05:00:78:25",
        Kind = VitalKind.BloodPressure,
        EffectiveTime = new DateTimeOffset(2026, 11, 25, 8, 30, 0, TimeSpan.FromHours(1)),
        TimeQuality = TimeQuality.DeviceWithOffset,
        DeviceTime = "2026-11-25T08:30:00+01:00",
        MeasurementId = "17",
        Systolic = new Quantity(128m, Ucum.MillimetreMercury),
        Diastolic = new Quantity(82m, Ucum.MillimetreMercury),
        Pulse = new Quantity(64m, Ucum.PerMinute),
    };

    [Benchmark] public string Key() => ReadingIdentity.Key(_bp);

    [Benchmark] public string HashInput() => ObservationIdentifier.HashInput(_bp, _patient, Panel);

    [Benchmark] public string ComputeValue() => ObservationIdentifier.ComputeValue(_bp, _patient, Panel);
}
