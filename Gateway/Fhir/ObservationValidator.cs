using System.Diagnostics;
using System.Text.RegularExpressions;
using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;
using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Fhir;

/// <summary>
/// Validates what the mapper made (the Device and every Observation) offline with the Firely validator against base
/// R4 and the profiles named in meta.profile (the R4 core vital-signs profiles), so a mapping that an EHR would refuse
/// is caught before anything is sent. Errors and fatal issues fail; warnings and information do not.
/// <para>
/// Terminology is local: required bindings to value sets that enumerate their codes (observation-status, the
/// profiles' UCUM unit sets such as ucum-bodytemp) are checked; codes of external systems (LOINC, UCUM, MDC) are not
/// looked up, and the vital-signs profiles pin their LOINC codes by pattern, which the validator checks itself.
/// </para>
/// <para>
/// The specification (Hl7.Fhir.Specification.Data.R4's specification.zip beside the binary) is loaded on first use,
/// not at start-up: a gateway with <c>Ehr:ValidateBeforeSend=false</c>, and every CLI verb, never pays for it.
/// Cost measured in docs/performance.md. Thread-safe: Firely's validator is not, so calls are serialised.
/// </para>
/// </summary>
public sealed partial class ObservationValidator
{
    /// <summary>The Device resources already found valid (their JSON): a device's Device is the same on every reading.</summary>
    private const int MaxRememberedDevices = 4096;

    private readonly string _specificationPath;
    private readonly TimeProvider _time;
    private readonly ILogger<ObservationValidator> _logger;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _validDevices = new(StringComparer.Ordinal);
    private Validator? _validator;

    /// <summary>A validator over specification.zip beside the binary.</summary>
    public ObservationValidator(TimeProvider time, ILogger<ObservationValidator> logger)
        : this(DefaultSpecificationPath, time, logger)
    {
    }

    public ObservationValidator(string specificationPath, TimeProvider time, ILogger<ObservationValidator> logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(specificationPath);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _specificationPath = specificationPath;
        _time = time;
        _logger = logger;
    }

    /// <summary>Where the R4 specification is expected: specification.zip beside the binary (copied there by the package).</summary>
    public static string DefaultSpecificationPath => Path.Combine(AppContext.BaseDirectory, "specification.zip");

    /// <summary>True once the specification has been loaded (by the first validation).</summary>
    public bool IsLoaded
    {
        get { lock (_gate) return _validator is not null; }
    }

    /// <summary>Validates the Device and each Observation; the issues of all of them, labelled by resource.</summary>
    public FhirValidationResult Validate(MappedReading mapped)
    {
        ArgumentNullException.ThrowIfNull(mapped);
        var issues = new List<FhirValidationIssue>();
        lock (_gate)
        {
            var deviceJson = FhirJson.Serialize(mapped.Device);
            if (!_validDevices.Contains(deviceJson))
            {
                var deviceIssues = ValidateLocked(mapped.Device);
                issues.AddRange(deviceIssues);
                if (!deviceIssues.Any(i => i.IsError))
                {
                    if (_validDevices.Count >= MaxRememberedDevices) _validDevices.Clear();
                    _validDevices.Add(deviceJson);
                }
            }
            foreach (var observation in mapped.Observations)
                issues.AddRange(ValidateLocked(observation));
        }
        return Result(issues);
    }

    /// <summary>Validates one resource against base R4 and its meta.profile.</summary>
    public FhirValidationResult Validate(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        lock (_gate)
            return Result(ValidateLocked(resource));
    }

    private static FhirValidationResult Result(List<FhirValidationIssue> issues) =>
        issues.Count == 0 ? FhirValidationResult.Valid : new FhirValidationResult([.. issues.OrderBy(i => i.IsError ? 0 : 1)]);

    private List<FhirValidationIssue> ValidateLocked(Resource resource)
    {
        var outcome = (_validator ??= Load()).Validate(resource);
        var label = Label(resource);
        var issues = new List<FhirValidationIssue>(outcome.Issue.Count);
        foreach (var issue in outcome.Issue)
        {
            if (issue.Severity is null) continue;
            var message = issue.Details?.Text ?? issue.Diagnostics ?? issue.Code?.ToString() ?? "(no message)";
            issues.Add(new FhirValidationIssue(issue.Severity.Value, issue.Code, label, PathOf(issue, resource, message), message));
        }
        return issues;
    }

    /// <summary>
    /// Firely reports a missing element at its parent ("Observation": "Missing required member: 'effective'"); the
    /// path names the element itself, which is what an operator looks for.
    /// </summary>
    private static string PathOf(OperationOutcome.IssueComponent issue, Resource resource, string message)
    {
        var path = issue.Expression.FirstOrDefault(e => !string.IsNullOrEmpty(e))
            ?? issue.Location.FirstOrDefault(e => !string.IsNullOrEmpty(e))
            ?? resource.TypeName;
        var missing = MissingMember().Match(message);
        return missing.Success ? path + "." + missing.Groups[1].Value : path;
    }

    private static string Label(Resource resource) => resource switch
    {
        Observation o when o.Code?.Coding.FirstOrDefault(c => c.System == FhirSystems.Loinc)?.Code is { } loinc => "Observation " + loinc,
        _ => resource.TypeName,
    };

    private Validator Load()
    {
        if (!File.Exists(_specificationPath))
            throw new FileNotFoundException("The FHIR R4 specification for validation before send is missing (Ehr:ValidateBeforeSend)", _specificationPath);
        var started = _time.GetTimestamp();
        var source = ZipSource.CreateValidationSource(_specificationPath);
        // Only the terminology lookups are cached: they recur on every validation (observation-status, the unit value
        // sets) and are small. The StructureDefinitions are needed once each, to compile the validator's own schema
        // cache; caching them too kept about 85 MB of parsed definitions (every resource type an Observation may
        // reference) alive for the life of the process, for no speed-up after the first validation of each profile.
        var terminology = LocalTerminologyService.CreateDefaultForCore(new CachedResolver(source));
        var validator = new Validator(source, terminology);
        LogLoaded((long)_time.GetElapsedTime(started).TotalMilliseconds);
        return validator;
    }

    [GeneratedRegex("^Missing required member: '([A-Za-z0-9]+)'")]
    private static partial Regex MissingMember();

    [LoggerMessage(EventId = 2050, Level = LogLevel.Information, Message = "FHIR validator ready (R4 specification indexed in {ElapsedMs} ms); profiles compile on first use")]
    private partial void LogLoaded(long elapsedMs);
}
