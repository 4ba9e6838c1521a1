using System.Text.Json;
using Hl7.Fhir.Model;
using Vitals.Devices;
using Vitals.Gateway.Fhir;
using FhirQuantity = Hl7.Fhir.Model.Quantity;

namespace Vitals.Gateway.Tests.Fhir;

/// <summary>
/// The gateway's own validator (Ehr:ValidateBeforeSend): what the mapper makes passes; each way an Observation can be
/// broken fails with the element path an operator would look for. Offline: no terminology server.
/// </summary>
public sealed class ObservationValidatorTests
{
    public static TheoryData<string> Readings => ["thermometer", "cuff", "cuff-kPa", "oximeter", "stored-thermometer", "stored-cuff", "weight", "receipt-time"];

    private static Reading ReadingFor(string name) => name switch
    {
        "thermometer" => Some.ThermometerReading(),
        "cuff" => Some.CuffReading(),
        "cuff-kPa" => Some.CuffReading(17.1m, 10.9m, unit: Ucum.Kilopascal),
        "oximeter" => Some.OximeterReading(),
        "stored-thermometer" => Some.StoredThermometer(),
        "stored-cuff" => Some.StoredCuff(),
        "weight" => Some.ThermometerReading() with { Kind = VitalKind.BodyWeight, Value = new Vitals.Devices.Quantity(81.4m, Ucum.Kilogram), DeviceId = "scale-1" },
        "receipt-time" => Some.ThermometerReading() with { TimeQuality = TimeQuality.ReceiptTime, Status = MeasurementStatus.Questionable },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Readings))]
    public void A_mapped_reading_is_valid_with_no_errors_and_no_terminology_server(string name)
    {
        var mapped = Some.ReadingMapper().Map(ReadingFor(name), Some.BoundPatient);

        var result = Some.Validator.Validate(mapped);

        Assert.True(result.IsValid, result.Summary(int.MaxValue));
        Assert.Empty(result.Errors);
        // LOINC and UCUM bindings must not produce findings of any severity for what the mapper writes.
        Assert.DoesNotContain(result.Issues, i => i.Message.Contains("loinc", StringComparison.OrdinalIgnoreCase)
            || i.Message.Contains("unitsofmeasure", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void An_Observation_without_effective_time_fails_at_Observation_effective()
    {
        var observation = Temperature();
        observation.Effective = null;

        var error = Assert.Single(Some.Validator.Validate(observation).Errors);

        Assert.Equal("Observation.effective", error.Path);
        Assert.Equal("Observation 8310-5", error.Resource);
    }

    [Fact]
    public void An_Observation_without_subject_fails_at_Observation_subject()
    {
        var observation = Temperature();
        observation.Subject = null;

        var error = Assert.Single(Some.Validator.Validate(observation).Errors);

        Assert.Equal("Observation.subject", error.Path);
    }

    [Fact]
    public void A_valueQuantity_without_the_UCUM_system_fails_at_the_value()
    {
        var observation = Temperature();
        ((FhirQuantity)observation.Value!).System = null;

        var errors = Some.Validator.Validate(observation).Errors;

        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.StartsWith("Observation.value", e.Path, StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "Observation.value[0].system");
    }

    [Fact]
    public void A_unit_the_profile_does_not_bind_fails_at_the_unit_code()
    {
        var observation = Temperature();
        ((FhirQuantity)observation.Value!).Code = "kg";

        var error = Assert.Single(Some.Validator.Validate(observation).Errors);

        Assert.Equal("Observation.value[0].code[0]", error.Path);
        Assert.Contains("ucum-bodytemp", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_code_other_than_the_profiles_LOINC_code_fails_at_Observation_code()
    {
        var observation = Temperature();
        observation.Code = new CodeableConcept("http://loinc.org", "8867-4", "Heart rate");

        var result = Some.Validator.Validate(observation);

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Path.StartsWith("Observation.code", StringComparison.Ordinal) && e.Message.Contains("BodyTempCode", StringComparison.Ordinal));
    }

    [Fact]
    public void A_status_outside_the_required_value_set_fails()
    {
        var observation = Temperature();
        observation.StatusElement = new Code<ObservationStatus> { JsonValue = "done" };

        var result = Some.Validator.Validate(observation);

        Assert.Contains(result.Errors, e => e.Path.StartsWith("Observation.status", StringComparison.Ordinal));
    }

    [Fact]
    public void A_Device_with_a_control_character_in_its_identifier_fails_and_is_labelled_Device()
    {
        var mapped = Some.ReadingMapper().Map(Some.ThermometerReading() with { DeviceId = "thermo\u0001-1" }, Some.BoundPatient);

        var result = Some.Validator.Validate(mapped);

        Assert.Contains(result.Errors, e => e.Resource == "Device" && e.Path == "Device.identifier[0].value[0]");
        Assert.Contains(result.Errors, e => e.Resource == "Observation 8310-5" && e.Path.StartsWith("Observation.device", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_error_of_every_Observation_of_a_reading_is_reported_labelled_by_its_code()
    {
        var mapped = Some.ReadingMapper().Map(Some.CuffReading(), Some.BoundPatient);
        mapped.Observations[0].Effective = null;
        mapped.Observations[1].Subject = null;

        var result = Some.Validator.Validate(mapped);

        Assert.Contains(result.Errors, e => e.Resource == "Observation 85354-9" && e.Path == "Observation.effective");
        Assert.Contains(result.Errors, e => e.Resource == "Observation 8867-4" && e.Path == "Observation.subject");
        Assert.StartsWith("Observation 85354-9 at Observation.effective: ", result.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_operation_outcome_carries_every_issue_with_its_path_as_expression()
    {
        var observation = Temperature();
        observation.Effective = null;
        observation.Subject = null;
        var result = Some.Validator.Validate(observation);

        var json = JsonDocument.Parse(FhirJson.Serialize(result.ToOperationOutcome())).RootElement;

        Assert.Equal("OperationOutcome", json.GetProperty("resourceType").GetString());
        var expressions = json.GetProperty("issue").EnumerateArray().Select(i => i.GetProperty("expression")[0].GetString()).ToList();
        Assert.Contains("Observation.effective", expressions);
        Assert.Contains("Observation.subject", expressions);
        Assert.Equal(result.Issues.Count, expressions.Count);
    }

    [Fact]
    public void A_profile_the_validator_does_not_know_fails_rather_than_being_skipped()
    {
        // A mistyped profile URL would otherwise validate against nothing but base R4.
        var observation = Temperature();
        observation.Meta!.Profile = [.. observation.Meta.Profile, "http://example.org/fhir/StructureDefinition/unknown"];

        var error = Assert.Single(Some.Validator.Validate(observation).Errors);

        Assert.Contains("http://example.org/fhir/StructureDefinition/unknown", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Warnings_do_not_fail_validation()
    {
        var result = new FhirValidationResult(
        [
            new FhirValidationIssue(OperationOutcome.IssueSeverity.Warning, OperationOutcome.IssueType.Informational, "Observation 8310-5", "Observation", "a warning"),
            new FhirValidationIssue(OperationOutcome.IssueSeverity.Information, null, "Device", "Device", "a note"),
        ]);

        Assert.True(result.IsValid);
        Assert.Empty(result.Errors);
    }

    private static Observation Temperature() =>
        Some.ReadingMapper().Map(Some.ThermometerReading(), Some.BoundPatient).Observations[0];
}
