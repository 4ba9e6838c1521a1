using Microsoft.Extensions.Options;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Tests;

internal static partial class Some
{
    public static ReadingMapper ReadingMapper(FhirOptions? options = null) => new(Options.Create(options ?? new FhirOptions()));

    public static PatientId BoundPatient => PatientId.Parse("Patient/123");

    public static Reading ThermometerReading(decimal celsius = 37.2m) => new()
    {
        DeviceId = "thermo-1",
        Kind = VitalKind.BodyTemperature,
        EffectiveTime = MeasuredAt,
        DeviceTime = "2026-11-25T08:30:00+01:00",
        Value = new Quantity(celsius, Ucum.Celsius),
    };

    public static Reading CuffReading(decimal systolic = 128m, decimal diastolic = 82m, decimal? pulse = 64m, string unit = Ucum.MillimetreMercury) => new()
    {
        DeviceId = "00:1C:05:00:78:25",
        Kind = VitalKind.BloodPressure,
        EffectiveTime = MeasuredAt,
        DeviceTime = "2026-11-25T08:30:00+01:00",
        MeasurementId = "17",
        Systolic = new Quantity(systolic, unit),
        Diastolic = new Quantity(diastolic, unit),
        Pulse = pulse is { } p ? new Quantity(p, Ucum.PerMinute) : null,
    };

    public static Reading OximeterReading(decimal spo2 = 97m, decimal? pulse = 68m) => new()
    {
        DeviceId = "oxi-1",
        Kind = VitalKind.OxygenSaturation,
        EffectiveTime = MeasuredAt,
        DeviceTime = "2026-11-25T08:30:00+01:00",
        Value = new Quantity(spo2, Ucum.Percent),
        Pulse = pulse is { } p ? new Quantity(p, Ucum.PerMinute) : null,
    };
}
