using Hl7.Fhir.Model;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Fhir;
using Quantity = Vitals.Devices.Quantity;

namespace Vitals.Gateway.Tests.Fhir;

public sealed class ReadingMapperTests
{
    private static readonly string Loinc = FhirSystems.Loinc;
    private static readonly string Mdc = FhirSystems.Mdc;

    [Fact]
    public void A_value_keeps_the_precision_the_device_sent()
    {
        var observation = Some.ReadingMapper().Map(Some.ThermometerReading(37.60m), Some.BoundPatient).Observations[0];

        Assert.Contains("\"value\":37.60,", FhirJson.Serialize(observation), StringComparison.Ordinal);
    }

    [Fact]
    public void Each_observation_claims_its_vital_signs_profile_and_carries_loinc_and_mdc_codes()
    {
        var mapped = Some.ReadingMapper().Map(Some.OximeterReading(), Some.BoundPatient);

        var spo2 = mapped.Observations[0];
        Assert.Equal(["http://hl7.org/fhir/StructureDefinition/oxygensat"], spo2.Meta!.Profile);
        Assert.Equal(ObservationStatus.Final, spo2.Status);
        Assert.Equal("vital-signs", spo2.Category[0].Coding[0].Code);
        Assert.Equal(
            [(Loinc, "2708-6"), (Loinc, "59408-5"), (Mdc, "150456")],
            spo2.Code.Coding.Select(c => (c.System, c.Code)));
        var value = Assert.IsType<Hl7.Fhir.Model.Quantity>(spo2.Value);
        Assert.Equal((97m, "%", FhirSystems.Ucum, "%"), (value.Value, value.Unit, value.System, value.Code));
    }

    [Fact]
    public void A_pulse_on_a_cuff_reading_becomes_its_own_heart_rate_observation()
    {
        var mapped = Some.ReadingMapper().Map(Some.CuffReading(pulse: 64m), Some.BoundPatient);

        Assert.Equal(2, mapped.Observations.Count);
        var panel = mapped.Observations[0];
        Assert.Null(panel.Value);
        Assert.Equal(["8480-6", "8462-4"], panel.Component.Select(c => c.Code.Coding.Single().Code));
        var heartRate = mapped.Observations[1];
        Assert.Equal(VitalSignCodes.HeartRateProfile, Assert.Single(heartRate.Meta!.Profile));
        Assert.Equal([(Loinc, "8867-4"), (Mdc, "149546")], heartRate.Code.Coding.Select(c => (c.System, c.Code)));
        var value = Assert.IsType<Hl7.Fhir.Model.Quantity>(heartRate.Value);
        Assert.Equal((64m, "/min"), (value.Value, value.Code));
    }

    [Fact]
    public void A_pulse_from_an_oximeter_uses_the_oximeter_pulse_code()
    {
        var heartRate = Some.ReadingMapper().Map(Some.OximeterReading(pulse: 70m), Some.BoundPatient).Observations[1];

        Assert.Equal("149530", heartRate.Code.Coding.Single(c => c.System == Mdc).Code);
    }

    [Fact]
    public void Mean_arterial_pressure_is_an_extra_component()
    {
        var reading = Some.CuffReading() with { MeanArterial = new Quantity(97m, Ucum.MillimetreMercury) };

        var panel = Some.ReadingMapper().Map(reading, Some.BoundPatient).Observations[0];

        var mean = Assert.Single(panel.Component, c => c.Code.Coding[0].Code == "8478-0");
        Assert.Equal(97m, Assert.IsType<Hl7.Fhir.Model.Quantity>(mean.Value).Value);
    }

    [Fact]
    public void Kilopascal_is_converted_to_millimetres_of_mercury()
    {
        var reading = Some.CuffReading(16.0m, 10.9m, pulse: null, unit: Ucum.Kilopascal);

        var panel = Some.ReadingMapper().Map(reading, Some.BoundPatient).Observations[0];

        var values = panel.Component.Select(c => Assert.IsType<Hl7.Fhir.Model.Quantity>(c.Value)).ToList();
        Assert.All(values, v => Assert.Equal(("mm[Hg]", "mmHg"), (v.Code, v.Unit)));
        Assert.Equal([120m, 81.8m], values.Select(v => v.Value!.Value));
    }

    [Fact]
    public void Without_a_patient_there_is_no_subject()
    {
        var observation = Some.ReadingMapper().Map(Some.ThermometerReading(), patient: null).Observations[0];

        Assert.Null(observation.Subject);
    }

    [Fact]
    public void A_patient_bound_by_identifier_is_referenced_by_identifier()
    {
        var observation = Some.ReadingMapper().Map(Some.ThermometerReading(), PatientId.Parse("https://hospital.example/mrn|12345")).Observations[0];

        Assert.Null(observation.Subject!.Reference);
        Assert.Equal("Patient", observation.Subject.Type);
        Assert.Equal(("https://hospital.example/mrn", "12345"), (observation.Subject.Identifier!.System, observation.Subject.Identifier.Value));
    }

    [Fact]
    public void A_patient_bound_by_reference_is_a_literal_reference()
    {
        var observation = Some.ReadingMapper().Map(Some.ThermometerReading(), Some.BoundPatient).Observations[0];

        Assert.Equal("Patient/123", observation.Subject!.Reference);
    }

    [Fact]
    public void The_effective_time_keeps_the_readings_offset_and_millisecond_precision()
    {
        var reading = Some.ThermometerReading() with { EffectiveTime = new DateTimeOffset(2026, 11, 25, 8, 30, 0, TimeSpan.FromHours(-5)).AddTicks(1_234_567) };

        var observation = Some.ReadingMapper().Map(reading, Some.BoundPatient).Observations[0];

        Assert.Equal("2026-11-25T08:30:00.123-05:00", Assert.IsType<FhirDateTime>(observation.Effective).Value);
    }

    [Theory]
    [InlineData(TimeQuality.AssumedLocalZone, "assumed-local-zone")]
    [InlineData(TimeQuality.ReceiptTime, "receipt-time")]
    public void A_time_the_device_did_not_state_is_flagged_for_people_and_software(TimeQuality quality, string tag)
    {
        var reading = Some.CuffReading() with { TimeQuality = quality };

        foreach (var observation in Some.ReadingMapper().Map(reading, Some.BoundPatient).Observations)
        {
            Assert.Equal((FhirSystems.TimeQuality, tag), (observation.Meta!.Tag.Single().System, observation.Meta.Tag.Single().Code));
            Assert.Contains(observation.Note, n => n.Text!.StartsWith("Time check:", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_device_time_with_offset_is_not_flagged()
    {
        var observation = Some.ReadingMapper().Map(Some.ThermometerReading(), Some.BoundPatient).Observations[0];

        Assert.Empty(observation.Meta!.Tag);
        Assert.Empty(observation.Note);
    }

    [Theory]
    [InlineData(AbsentReason.NotANumber, "not-a-number")]
    [InlineData(AbsentReason.Error, "error")]
    [InlineData(AbsentReason.PositiveInfinity, "positive-infinity")]
    [InlineData(AbsentReason.NegativeInfinity, "negative-infinity")]
    [InlineData(AbsentReason.NotPerformed, "not-performed")]
    public void A_special_value_becomes_a_data_absent_reason_without_value(AbsentReason absent, string code)
    {
        var reading = Some.ThermometerReading() with { Value = Quantity.Missing(absent, Ucum.Celsius) };

        var observation = Some.ReadingMapper().Map(reading, Some.BoundPatient).Observations[0];

        Assert.Null(observation.Value);
        Assert.Equal((FhirSystems.DataAbsentReason, code), (observation.DataAbsentReason!.Coding[0].System, observation.DataAbsentReason.Coding[0].Code));
        Assert.Empty(FhirValidation.Errors(observation));
    }

    [Fact]
    public void One_absent_blood_pressure_component_does_not_hide_the_other()
    {
        var reading = Some.CuffReading() with { Diastolic = Quantity.Missing(AbsentReason.PositiveInfinity, Ucum.MillimetreMercury) };

        var panel = Some.ReadingMapper().Map(reading, Some.BoundPatient).Observations[0];

        Assert.Equal(128m, Assert.IsType<Hl7.Fhir.Model.Quantity>(panel.Component[0].Value).Value);
        Assert.Null(panel.Component[1].Value);
        Assert.Equal("positive-infinity", panel.Component[1].DataAbsentReason!.Coding[0].Code);
        Assert.Empty(FhirValidation.Errors(panel));
    }

    [Theory]
    [InlineData(MeasurementStatus.Invalid, "error")]
    [InlineData(MeasurementStatus.NotAvailable, "not-performed")]
    [InlineData(MeasurementStatus.Invalid | MeasurementStatus.NotAvailable, "error")]
    public void An_invalid_or_unavailable_measurement_has_no_values(MeasurementStatus status, string code)
    {
        var reading = Some.CuffReading() with { Status = status };

        var mapped = Some.ReadingMapper().Map(reading, Some.BoundPatient);

        Assert.All(mapped.Observations[0].Component, c => Assert.Equal((null, code), (c.Value, c.DataAbsentReason!.Coding[0].Code)));
        Assert.Null(mapped.Observations[1].Value);
        Assert.Equal(code, mapped.Observations[1].DataAbsentReason!.Coding[0].Code);
        // PHD IG (PhdBaseObservation): an invalid measurement, if uploaded at all (Fhir:UploadInvalid), is
        // entered-in-error; an unavailable one is a final statement that nothing was measured.
        var expected = status.HasFlag(MeasurementStatus.Invalid) ? ObservationStatus.EnteredInError : ObservationStatus.Final;
        Assert.All(mapped.Observations, o => Assert.Equal(expected, o.Status));
        Assert.All(mapped.Observations, o => Assert.Empty(FhirValidation.Errors(o)));
    }

    [Theory]
    [InlineData(MeasurementStatus.Questionable, "questionable")]
    [InlineData(MeasurementStatus.Calibrating, "calibration-ongoing")]
    [InlineData(MeasurementStatus.EarlyEstimate, "early-indication")]
    public void Quality_flags_become_interpretations_on_every_observation(MeasurementStatus status, string code)
    {
        var reading = Some.CuffReading() with { Status = status };

        foreach (var observation in Some.ReadingMapper().Map(reading, Some.BoundPatient).Observations)
        {
            var coding = Assert.Single(observation.Interpretation).Coding.Single();
            Assert.Equal((FhirSystems.MeasurementStatus, code), (coding.System, coding.Code));
            Assert.Empty(FhirValidation.Errors(observation));
        }
    }

    [Fact]
    public void Test_data_is_labelled_HTEST_on_every_observation()
    {
        var reading = Some.CuffReading() with { Status = MeasurementStatus.TestData };

        foreach (var observation in Some.ReadingMapper().Map(reading, Some.BoundPatient).Observations)
        {
            var label = Assert.Single(observation.Meta!.Security);
            Assert.Equal((FhirSystems.ActReason, "HTEST"), (label.System, label.Code));
        }
    }

    [Fact]
    public void Device_flags_become_notes_and_pulse_flags_also_reach_the_heart_rate_observation()
    {
        var reading = Some.CuffReading() with
        {
            Status = MeasurementStatus.BodyMovement | MeasurementStatus.CuffLoose | MeasurementStatus.IrregularPulse
                | MeasurementStatus.PulseRateOutOfRange | MeasurementStatus.ImproperPosition,
        };

        var mapped = Some.ReadingMapper().Map(reading, Some.BoundPatient);

        var panelNotes = mapped.Observations[0].Note.Select(n => n.Text!).ToList();
        Assert.Equal(5, panelNotes.Count);
        Assert.Contains(panelNotes, n => n.Contains("body movement", StringComparison.Ordinal));
        Assert.Contains(panelNotes, n => n.Contains("cuff", StringComparison.Ordinal));
        Assert.Contains(panelNotes, n => n.Contains("improper", StringComparison.Ordinal));
        var pulseNotes = mapped.Observations[1].Note.Select(n => n.Text!).ToList();
        Assert.Equal(2, pulseNotes.Count);
        Assert.Contains(pulseNotes, n => n.Contains("irregular pulse", StringComparison.Ordinal));
        Assert.Contains(pulseNotes, n => n.Contains("pulse rate", StringComparison.Ordinal));
    }

    // PHD IG: the site-specific MDC temperature type is the Observation's code (next to 8310-5, which the R4
    // bodytemp profile requires); FHIR R4 Observation.bodySite is bound to SNOMED CT body structures, so it holds
    // only those, and a site without one is named in a note.
    [Theory]
    [InlineData("oral", "188424", "123851003")]
    [InlineData("Axilla", "188452", "91470000")]
    [InlineData("tympanic", "150392", "42859004")]
    [InlineData("gi-tract", "188456", null)]
    [InlineData("forehead", "150364", "52795006")]
    [InlineData("left armpit", "150364", null)]
    public void A_temperature_site_becomes_the_MDC_code_and_a_SNOMED_body_site_where_one_exists(string site, string mdc, string? snomed)
    {
        var reading = Some.ThermometerReading() with { Site = site };

        var observation = Some.ReadingMapper().Map(reading, Some.BoundPatient).Observations[0];

        Assert.Equal(["8310-5", mdc], observation.Code.Coding.Select(c => c.Code));
        Assert.Equal(snomed, observation.BodySite?.Coding.Single().Code);
        Assert.All(observation.BodySite?.Coding ?? [], c => Assert.Equal(FhirSystems.SnomedCt, c.System));
        if (snomed is null)
        {
            Assert.Contains(observation.Note, n => n.Text!.StartsWith("Measurement site: ", StringComparison.Ordinal));
        }
        Assert.Empty(FhirValidation.Errors(observation));
    }

    [Fact]
    public void Observations_reference_the_device_and_the_gateway_by_identifier()
    {
        var options = new FhirOptions { DeviceIdentifierSystem = "https://vendor.example/devices", GatewayId = "hub-7" };

        var mapped = Some.ReadingMapper(options).Map(Some.ThermometerReading(), Some.BoundPatient);

        var observation = mapped.Observations[0];
        Assert.Null(observation.Device!.Reference);
        Assert.Equal(("https://vendor.example/devices", "thermo-1"), (observation.Device.Identifier!.System, observation.Device.Identifier.Value));
        Assert.Equal(mapped.DeviceIdentifier.Value, observation.Device.Identifier.Value);
        var gateway = Assert.IsType<ResourceReference>(observation.GetExtensionValue<DataType>(FhirSystems.GatewayDeviceExtension));
        Assert.Equal(("https://vendor.example/devices", "hub-7"), (gateway.Identifier!.System, gateway.Identifier.Value));
    }

    [Fact]
    public void The_device_is_active_named_and_identified()
    {
        var device = Some.ReadingMapper().Map(Some.CuffReading(), Some.BoundPatient).Device;

        Assert.Equal(Device.FHIRDeviceStatus.Active, device.Status);
        Assert.Equal(("http://hl7.org/fhir/sid/eui-48/bluetooth", "00-1C-05-00-78-25"), (device.Identifier[0].System, device.Identifier[0].Value));
        Assert.Contains("00:1C:05:00:78:25", device.DeviceName.Single().Name, StringComparison.Ordinal);
        Assert.Empty(FhirValidation.Errors(device));
    }

    [Fact]
    public void Setting_one_observations_device_reference_does_not_touch_the_others()
    {
        var mapped = Some.ReadingMapper().Map(Some.CuffReading(), Some.BoundPatient);

        mapped.Observations[0].Device!.Reference = "Device/1";
        mapped.Observations[0].Device!.Identifier!.Value = "changed";

        Assert.Null(mapped.Observations[1].Device!.Reference);
        Assert.Equal("00-1C-05-00-78-25", mapped.Observations[1].Device!.Identifier!.Value);
        Assert.Equal("00-1C-05-00-78-25", mapped.DeviceIdentifier.Value);
    }

    [Fact]
    public void A_unit_the_profile_does_not_allow_is_a_bug_not_an_observation()
    {
        var reading = Some.ThermometerReading() with { Value = new Quantity(310m, "K") };

        Assert.Throws<ArgumentException>(() => Some.ReadingMapper().Map(reading, Some.BoundPatient));
    }

    [Fact]
    public void A_blood_pressure_reading_without_systolic_is_a_bug()
    {
        var reading = Some.CuffReading() with { Systolic = null };

        Assert.Throws<ArgumentException>(() => Some.ReadingMapper().Map(reading, Some.BoundPatient));
    }

    [Fact]
    public void A_heart_rate_reading_with_a_separate_pulse_is_a_bug()
    {
        var reading = new Reading
        {
            DeviceId = "strap",
            Kind = VitalKind.HeartRate,
            EffectiveTime = Some.MeasuredAt,
            Value = new Quantity(70m, Ucum.PerMinute),
            Pulse = new Quantity(70m, Ucum.PerMinute),
        };

        Assert.Throws<ArgumentException>(() => Some.ReadingMapper().Map(reading, Some.BoundPatient));
    }
}
