using System.Text;
using Hl7.Fhir.Model;

namespace Vitals.Gateway.Fhir;

/// <summary>What <see cref="ObservationValidator"/> found in a mapped reading: every issue, errors first.</summary>
public sealed record FhirValidationResult(IReadOnlyList<FhirValidationIssue> Issues)
{
    public static FhirValidationResult Valid { get; } = new([]);

    /// <summary>True when no issue is an error (warnings and information do not fail).</summary>
    public bool IsValid => !Issues.Any(i => i.IsError);

    public IReadOnlyList<FhirValidationIssue> Errors => [.. Issues.Where(i => i.IsError)];

    /// <summary>The first <paramref name="max"/> errors on one line, e.g. for a dead letter's reason.</summary>
    public string Summary(int max = 3)
    {
        var errors = Errors;
        var sb = new StringBuilder();
        foreach (var error in errors.Take(max))
        {
            if (sb.Length > 0) sb.Append("; ");
            sb.Append(error);
        }
        if (errors.Count > max) sb.Append("; and ").Append(errors.Count - max).Append(" more");
        return sb.ToString();
    }

    /// <summary>Every issue as one OperationOutcome (expression = the element path, diagnostics = the resource), the
    /// shape an EHR's refusal has, so a dead letter reads the same whoever refused the reading.</summary>
    public OperationOutcome ToOperationOutcome()
    {
        var outcome = new OperationOutcome();
        foreach (var issue in Issues)
        {
            outcome.Issue.Add(new OperationOutcome.IssueComponent
            {
                Severity = issue.Severity,
                Code = issue.Code ?? OperationOutcome.IssueType.Invalid,
                Details = new CodeableConcept { Text = issue.Message },
                Diagnostics = issue.Resource,
                Expression = [issue.Path],
            });
        }
        return outcome;
    }
}
