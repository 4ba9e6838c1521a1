using System.Text.Json;
using Hl7.Fhir.Model;
using Microsoft.Data.Sqlite;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Tests.Fhir;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.EndToEnd;

/// <summary>What arrived in the sandbox EHR, checked the way a clinician relies on it: once, right patient, valid.</summary>
internal sealed record EhrContents(IReadOnlyList<JsonElement> Observations, IReadOnlyDictionary<string, string> DeviceIdByServerId)
{
    public static async Task<EhrContents> ReadAsync(SandboxEhrProcess ehr)
    {
        var observations = await ehr.SearchAllAsync("Observation");
        var devices = await ehr.SearchAllAsync("Device");
        var byServerId = devices.ToDictionary(
            d => "Device/" + d.GetProperty("id").GetString(),
            d => d.GetProperty("identifier")[0].GetProperty("value").GetString()!);
        return new EhrContents([.. observations.Where(o => !IsCoincidentTimeStamp(o))], byServerId)
        {
            CoincidentTimeStamps = [.. observations.Where(IsCoincidentTimeStamp)],
        };
    }

    /// <summary>The PHD IG's Coincident Time Stamp Observations (MDC 67975) of corrected device clocks: not vital signs, no subject.</summary>
    public IReadOnlyList<JsonElement> CoincidentTimeStamps { get; init; } = [];

    /// <summary>Whether an Observation is a Coincident Time Stamp (code MDC 67975 MDC_ATTR_TIME_ABS) rather than a measurement.</summary>
    public static bool IsCoincidentTimeStamp(JsonElement observation) =>
        observation.GetProperty("code").GetProperty("coding").EnumerateArray()
            .Any(c => c.GetProperty("system").GetString() == "urn:iso:std:iso:11073:10101" && c.GetProperty("code").GetString() == "67975");

    /// <summary>Every Observation's de-duplication identifier occurs once: nothing was filed twice.</summary>
    public void AssertNoDuplicates()
    {
        var identifiers = Observations.Select(o => o.GetProperty("identifier")[0].GetProperty("value").GetString()).ToList();
        var repeated = identifiers.GroupBy(i => i).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(repeated.Count == 0, $"{repeated.Count} identifiers filed more than once, e.g. {repeated.FirstOrDefault()}");
    }

    /// <summary>Each Observation's subject is the patient its device was bound to.</summary>
    public void AssertSubjects(IReadOnlyDictionary<string, string> patientByDevice)
    {
        foreach (var o in Observations)
        {
            var device = DeviceIdByServerId[o.GetProperty("device").GetProperty("reference").GetString()!];
            Assert.Equal(patientByDevice[device], o.GetProperty("subject").GetProperty("reference").GetString());
        }
    }

    /// <summary>Each Observation, as the EHR stored it, validates against its vital-signs profile with zero errors.</summary>
    public void AssertValid()
    {
        foreach (var o in Observations)
        {
            // The server's bookkeeping in meta (versionId, lastUpdated and Medplum's own fields) is not what the
            // gateway sent; validate what the gateway is answerable for.
            var json = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(o.GetRawText())!;
            // Against Medplum (the sandbox's default) the gateway's preset leaves the bp profile out of meta.profile,
            // which Medplum's validator misreads; the blood pressure must conform to it all the same.
            var profiles = json.TryGetValue("meta", out var meta) && meta.TryGetProperty("profile", out var claimed)
                ? claimed
                : JsonSerializer.SerializeToElement(o.GetRawText().Contains("\"85354-9\"", StringComparison.Ordinal)
                    ? new[] { "http://hl7.org/fhir/StructureDefinition/bp" }
                    : []);
            json["meta"] = JsonSerializer.SerializeToElement(new { profile = profiles });
            var observation = FhirJson.Parse<Observation>(JsonSerializer.Serialize(json));
            var errors = FhirValidation.Errors(observation);
            Assert.True(errors.Count == 0, string.Join("\n", errors));
        }
    }

    /// <summary>How many Observations the gateway's store says it delivered (server ids recorded on 2xx).</summary>
    public static long DeliveredObservations(string storePath) => DeliveredServerIds(storePath).Count;

    /// <summary>The server ids ("Observation/id") the gateway's store recorded for its delivered readings.</summary>
    public static List<string> DeliveredServerIds(string storePath)
    {
        using var connection = new SqliteConnection($"Data Source={storePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT server_ids FROM readings WHERE state = 'delivered'";
        var ids = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
            ids.AddRange(reader.GetString(0).Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return ids;
    }
}
