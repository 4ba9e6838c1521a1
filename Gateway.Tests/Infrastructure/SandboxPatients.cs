using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>Patients created in the sandbox EHR (FHIR create, R4 3.1.0.4), for the tests that enrol them.</summary>
public static class SandboxPatients
{
    /// <returns>The server's id: the patient is <c>Patient/{id}</c>.</returns>
    public static async Task<string> CreateAsync(SandboxEhrProcess ehr, string given, string family, string birthDate, string? identifier = null)
    {
        ArgumentNullException.ThrowIfNull(ehr);
        var patient = new Dictionary<string, object>
        {
            ["resourceType"] = "Patient",
            ["name"] = new[] { new { use = "official", family, given = new[] { given, "Middle" } } },
            ["birthDate"] = birthDate,
        };
        if (identifier is not null) patient["identifier"] = new[] { new { system = "https://clinic.example/mrn", value = identifier } };
        using var content = new StringContent(JsonSerializer.Serialize(patient), Encoding.UTF8, "application/fhir+json");
        using var response = await ehr.Http.PostAsync("Patient", content);
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return created.GetProperty("id").GetString()!;
    }
}
