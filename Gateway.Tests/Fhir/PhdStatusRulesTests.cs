using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;
using Vitals.Devices;
using Vitals.Devices.Gatt;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Tests.Fhir;

/// <summary>
/// The PHD IG's measurement-status rules (PhdBaseObservation: status, dataAbsentReason, interpretation,
/// meta.security), each assertion written from the IG text cited next to it; every Observation also validates
/// against its R4 vital-signs profile.
/// </summary>
public sealed class PhdStatusRulesTests
{
    // PhdBaseObservation measurement status: an early estimate is not the final value; FHIR R4 ObservationStatus
    // "preliminary: this is an initial or interim observation". The interpretation still names the device flag.
    [Fact]
    public void An_early_estimate_is_preliminary_with_its_interpretation()
    {
        var reading = Some.OximeterReading() with { Status = MeasurementStatus.EarlyEstimate };

        foreach (var observation in Some.ReadingMapper().Map(reading, Some.BoundPatient).Observations)
        {
            Assert.Equal(ObservationStatus.Preliminary, observation.Status);
            Assert.Contains(observation.Interpretation, i => i.Coding[0].Code == "early-indication");
            Assert.Empty(FhirValidation.Errors(observation));
        }
    }

    // PhdBaseObservation.dataAbsentReason: "populated when the Measurement Status indicates invalid, not available or
    // measurement-ongoing"; the value is expected later, hence temp-unknown, and the Observation is not final.
    [Fact]
    public void A_measurement_still_ongoing_has_no_value_and_is_preliminary()
    {
        var reading = Some.OximeterReading() with { Status = MeasurementStatus.MeasurementOngoing };

        var observation = Some.ReadingMapper().Map(reading, Some.BoundPatient).Observations[0];

        Assert.Null(observation.Value);
        Assert.Equal("temp-unknown", observation.DataAbsentReason!.Coding[0].Code);
        Assert.Equal(ObservationStatus.Preliminary, observation.Status);
        Assert.Empty(FhirValidation.Errors(observation));
    }

    // PLX Device and Sensor Status problem bits make the value questionable (the IG's interpretation for a
    // questionable measurement), and every bit is named for the clinician.
    [Fact]
    public void A_displaced_sensor_makes_the_SpO2_questionable_and_is_named()
    {
        var reading = Some.OximeterReading() with
        {
            Status = MeasurementStatus.SensorProblem,
            SensorStatus = PlxDeviceSensorStatus.SensorDisplaced | PlxDeviceSensorStatus.LowPerfusion,
        };

        foreach (var observation in Some.ReadingMapper().Map(reading, Some.BoundPatient).Observations)
        {
            Assert.Equal(ObservationStatus.Final, observation.Status);
            Assert.Contains(observation.Interpretation, i => i.Coding[0].Code == "questionable");
            Assert.Contains(observation.Note, n => n.Text == "Device and sensor status: low perfusion detected, sensor displaced.");
            Assert.Empty(FhirValidation.Errors(observation));
        }
    }

    // PhdBaseObservation meta.security: test data is labelled HTEST; Ehr:Compatibility:Omit=meta must not remove it.
    [Fact]
    public void The_HTEST_label_survives_every_omit()
    {
        var reading = Some.CuffReading() with { Status = MeasurementStatus.TestData };
        var mapped = Some.ReadingMapper().Map(reading, Some.BoundPatient);
        var omitAll = new EhrCompatibilityOptions { Omit = [.. EhrCompatibility.OmittableElements] };

        var sent = new EhrCompatibility(omitAll).Apply(mapped);

        Assert.All(sent.Observations, o => Assert.Equal("HTEST", o.Meta!.Security.Single().Code));
        Assert.All(sent.Observations, o => Assert.Empty(o.Meta!.Profile));
    }

    [Theory]
    [InlineData(MeasurementStatus.TestData, false, false, "Ehr:DeliverTestData")]
    [InlineData(MeasurementStatus.TestData, false, true, null)]
    [InlineData(MeasurementStatus.Invalid, false, false, "Fhir:UploadInvalid")]
    [InlineData(MeasurementStatus.Invalid, true, false, null)]
    [InlineData(MeasurementStatus.Invalid | MeasurementStatus.TestData, true, false, "Ehr:DeliverTestData")]
    [InlineData(MeasurementStatus.EarlyEstimate, false, false, null)]
    public void Invalid_and_test_data_are_admitted_only_when_configured(MeasurementStatus status, bool uploadInvalid, bool deliverTestData, string? refusedBy)
    {
        var admission = new ReadingAdmission(
            Options.Create(new FhirOptions { UploadInvalid = uploadInvalid }),
            Options.Create(new TestDataOptions { DeliverTestData = deliverTestData }));

        var admitted = admission.TryAdmit(Some.CuffReading() with { Status = status }, out var error);

        Assert.Equal(refusedBy is null, admitted);
        if (refusedBy is not null)
        {
            Assert.Equal("status", error.Where);
            Assert.Contains(refusedBy, error.Message, StringComparison.Ordinal);
        }
    }

    // Observation.code carries the device's own MDC type (PHD IG, "Obtaining the Observation.code"): a GHS oximeter's
    // pulse stays MDC_PULS_OXIM_PULS_RATE, a cuff's MDC_PULS_RATE_NON_INV, and only an ECG is MDC_ECG_HEART_RATE.
    [Theory]
    [InlineData(149530u, "149530")]
    [InlineData(149546u, "149546")]
    [InlineData(147842u, "147842")]
    [InlineData(null, "147842")]
    public void A_heart_rate_keeps_the_device_s_MDC_type(uint? type, string mdc)
    {
        var reading = new Reading
        {
            DeviceId = "ghs-1",
            Kind = VitalKind.HeartRate,
            EffectiveTime = Some.MeasuredAt,
            Value = new Vitals.Devices.Quantity(72m, Ucum.PerMinute),
            MdcType = type,
        };

        var observation = Some.ReadingMapper().Map(reading, Some.BoundPatient).Observations[0];

        Assert.Equal(["8867-4", mdc], observation.Code.Coding.Select(c => c.Code));
        Assert.Empty(FhirValidation.Errors(observation));
    }
}
