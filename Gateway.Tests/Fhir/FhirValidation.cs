using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;

namespace Vitals.Gateway.Tests.Fhir;

/// <summary>
/// Offline FHIR R4 validation for tests: base R4 plus every profile in meta.profile (the R4 core vital-signs
/// profiles ship in Hl7.Fhir.Specification.Data.R4's specification.zip, copied to the test output).
/// Built once per test run (cold start takes seconds); Firely's Validator is not thread-safe and xunit runs test
/// classes in parallel, so calls are serialised.
/// </summary>
internal static class FhirValidation
{
    private static readonly Lazy<Validator> Instance = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lock Gate = new();

    /// <summary>Errors and fatal issues, each as "severity location: message"; empty when the resource is valid.</summary>
    public static IReadOnlyList<string> Errors(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        OperationOutcome outcome;
        lock (Gate)
        {
            outcome = Instance.Value.Validate(resource);
        }
        return outcome.Issue
            .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
            .Select(i => $"{i.Severity} {string.Join(",", i.Expression.Concat(i.Location).Distinct())}: {i.Details?.Text ?? i.Diagnostics}")
            .ToList();
    }

    private static Validator Create()
    {
        // The zip already holds snapshots of the core profiles; wrapping it in a SnapshotSource tripled the cold start.
        var source = ZipSource.CreateValidationSource(Path.Combine(AppContext.BaseDirectory, "specification.zip"));
        var resolver = new CachedResolver(source);
        var terminology = LocalTerminologyService.CreateDefaultForCore(resolver);
        return new Validator(resolver, terminology);
    }
}
