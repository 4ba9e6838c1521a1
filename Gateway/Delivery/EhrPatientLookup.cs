using System.Globalization;
using System.Text.Json;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Patients;

namespace Vitals.Gateway.Delivery;

/// <summary>What the EHR says about a patient: found (with what the pairing page may show), unknown, or no answer.</summary>
public sealed record PatientLookupResult(PatientLookupOutcome Outcome, string? FirstName, int? BirthYear, string? Reason)
{
    public static PatientLookupResult Unknown(string reason) => new(PatientLookupOutcome.Unknown, null, null, reason);
    public static PatientLookupResult Unreachable(string reason) => new(PatientLookupOutcome.Unreachable, null, null, reason);
}

public enum PatientLookupOutcome
{
    Found,
    Unknown,
    Unreachable,
}

/// <summary>
/// Asks the EHR whether a patient exists, through the delivery's <see cref="EhrHttpClient"/> (its authentication,
/// timeouts and limits): a read for <c>Patient/123</c> (FHIR R4 RESTful API 3.1.0.2 read), a search by identifier for
/// <c>system|value</c> (3.1.0.8, token search on <c>identifier</c>; exactly one match counts). Only the first given
/// name and the birth year leave this class: the pairing page's "Is this you?" shows nothing more.
/// </summary>
public sealed class EhrPatientLookup(EhrHttpClient http)
{
    public async Task<PatientLookupResult> FindAsync(PatientId patient, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(patient);
        var relative = patient.Reference is { } reference
            ? reference
            : "Patient?identifier=" + Uri.EscapeDataString($"{patient.IdentifierSystem}|{patient.IdentifierValue}");
        var what = patient.Reference is not null ? "GET Patient (read)" : "GET Patient?identifier (search)";
        var response = await http.SendAsync(HttpMethod.Get, relative, null, null, what, ct).ConfigureAwait(false);
        // A read of an id the server does not have answers 404, or 410 once deleted (R4 3.1.0.2); the client files
        // 404 under "retry later" because for a POST it means a wrong base path.
        if (patient.Reference is not null && response.Status is 404 or 410)
            return PatientLookupResult.Unknown($"the EHR has no such patient (HTTP {response.Status} on {what})");
        switch (response.Failure)
        {
            case DeliveryResult.RetryLater later:
                return PatientLookupResult.Unreachable(later.Reason);
            case DeliveryResult.Rejected rejected:
                return PatientLookupResult.Unreachable($"the EHR refused {what}: HTTP {rejected.HttpStatus}");
        }
        try
        {
            using var doc = JsonDocument.Parse(response.Body);
            var root = doc.RootElement;
            if (patient.Reference is null)
            {
                var matches = root.TryGetProperty("entry", out var entries) && entries.ValueKind == JsonValueKind.Array
                    ? entries.EnumerateArray().Where(e => e.TryGetProperty("resource", out var r) && Type(r) == "Patient").Select(e => e.GetProperty("resource")).ToList()
                    : [];
                return matches.Count switch
                {
                    0 => PatientLookupResult.Unknown("the EHR has no patient with that identifier"),
                    1 => Found(matches[0]),
                    _ => PatientLookupResult.Unknown($"the EHR has {matches.Count} patients with that identifier; enrol by Patient/<id>"),
                };
            }
            return Type(root) == "Patient" ? Found(root) : PatientLookupResult.Unreachable($"the EHR answered {what} with something other than a Patient");
        }
        catch (JsonException)
        {
            return PatientLookupResult.Unreachable($"the EHR's answer to {what} is not JSON");
        }
    }

    private static string? Type(JsonElement resource) =>
        resource.ValueKind == JsonValueKind.Object && resource.TryGetProperty("resourceType", out var t) ? t.GetString() : null;

    private static PatientLookupResult Found(JsonElement patient)
    {
        string? first = null;
        if (patient.TryGetProperty("name", out var names) && names.ValueKind == JsonValueKind.Array)
        {
            // The official name first (FHIR R4 HumanName.use), else the first with a given name.
            var candidates = names.EnumerateArray().Where(n => n.ValueKind == JsonValueKind.Object).ToList();
            var chosen = candidates.FirstOrDefault(n => n.TryGetProperty("use", out var u) && u.GetString() == "official" && HasGiven(n));
            if (chosen.ValueKind != JsonValueKind.Object) chosen = candidates.FirstOrDefault(HasGiven);
            if (chosen.ValueKind == JsonValueKind.Object) first = chosen.GetProperty("given")[0].GetString();
        }
        int? year = patient.TryGetProperty("birthDate", out var birth) && birth.GetString() is { Length: >= 4 } b
            && int.TryParse(b.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var y) ? y : null;
        return new PatientLookupResult(PatientLookupOutcome.Found, first, year, null);
    }

    private static bool HasGiven(JsonElement name) =>
        name.TryGetProperty("given", out var given) && given.ValueKind == JsonValueKind.Array && given.GetArrayLength() > 0
        && given[0].ValueKind == JsonValueKind.String;
}
