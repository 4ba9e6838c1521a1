using Hl7.Fhir.Model;

namespace Vitals.Gateway.Fhir;

/// <summary>
/// One finding of <see cref="ObservationValidator"/>: which resource of the mapped reading (<c>Device</c>, or
/// <c>Observation 8867-4</c> by its LOINC code), where in it (a FHIRPath-like element path such as
/// <c>Observation.effective</c> or <c>Observation.value[0].code[0]</c>) and what is wrong.
/// The message can quote instance values (a device id, a unit); it goes into the dead letter, not into logs above Debug.
/// </summary>
public sealed record FhirValidationIssue(
    OperationOutcome.IssueSeverity Severity, OperationOutcome.IssueType? Code, string Resource, string Path, string Message)
{
    /// <summary>Error and fatal fail validation; warnings and information do not.</summary>
    public bool IsError => Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal;

    public override string ToString() => $"{Resource} at {Path}: {Message}";
}
