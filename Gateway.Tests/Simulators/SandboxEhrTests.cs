using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Vitals.Gateway.Tests.Infrastructure;
using Task = System.Threading.Tasks.Task;

namespace Vitals.Gateway.Tests.Simulators;

/// <summary>
/// The sandbox EHR behaves as the FHIR server the gateway is written against (docs/ehr.md), with its Medplum behaviours
/// off (<see cref="SandboxEhrMedplumTests"/> has those); the helpers here are shared with the other sandbox tests.
/// </summary>
public sealed class SandboxEhrTests(NeutralSandboxEhrFixture fixture) : IClassFixture<NeutralSandboxEhrFixture>
{
    internal const string IdentifierSystem = "urn:ietf:rfc:3986";

    private SandboxEhrProcess Ehr => fixture.Ehr;

    [Theory]
    [InlineData("bodytemp")]
    [InlineData("bp")]
    [InlineData("bodyweight")]
    [InlineData("resprate")]
    [InlineData("heartrate")]
    [InlineData("oxygensat")]
    public async Task Create_ValidVitalSignsObservation_Returns201WithLocationOfTheStoredResource(string profile)
    {
        var identifier = NewIdentifier();

        using var response = await PostObservationAsync(Ehr, Observation(profile, identifier));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var location = response.Headers.Location;
        Assert.NotNull(location);
        Assert.Matches($"^{Ehr.BaseUrl}Observation/[^/]+/_history/[^/]+$", location!.ToString());
        using var read = await Ehr.Http.GetAsync(location);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using var stored = JsonDocument.Parse(await read.Content.ReadAsStringAsync());
        Assert.Equal(identifier, stored.RootElement.GetProperty("identifier")[0].GetProperty("value").GetString());
    }

    [Theory]
    [InlineData("bp", "no-components")]
    [InlineData("bp", "systolic-in-kPa")]
    [InlineData("heartrate", "unit-bpm")]
    [InlineData("bodytemp", "time-without-offset")]
    [InlineData("bodytemp", "unknown-status")]
    [InlineData("bodyweight", "no-subject")]
    public async Task Create_InvalidObservation_Returns400WithOperationOutcomeAndStoresNothing(string profile, string defect)
    {
        var identifier = NewIdentifier();
        var observation = Observation(profile, identifier);
        switch (defect)
        {
            case "no-components":
                observation.Remove("component");
                break;
            case "systolic-in-kPa":
                observation["component"]![0]!["valueQuantity"] = Quantity(17.1m, "kPa");
                break;
            case "unit-bpm":
                observation["valueQuantity"] = Quantity(64m, "bpm");
                break;
            case "time-without-offset":
                observation["effectiveDateTime"] = "2026-11-25T08:30:00";
                break;
            case "unknown-status":
                observation["status"] = "done";
                break;
            case "no-subject":
                observation.Remove("subject");
                break;
        }

        using var response = await PostObservationAsync(Ehr, observation);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var outcome = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("OperationOutcome", outcome.RootElement.GetProperty("resourceType").GetString());
        Assert.Contains(outcome.RootElement.GetProperty("issue").EnumerateArray(), i => i.GetProperty("severity").GetString() == "error");
        Assert.Equal(0, await Ehr.CountAsync($"Observation?identifier={IdentifierSystem}|{identifier}"));
    }

    [Fact]
    public async Task ConditionalCreate_Twice_Returns201Then200AndStoresOneResource()
    {
        var identifier = NewIdentifier();
        var ifNoneExist = $"identifier={IdentifierSystem}|{identifier}";

        using var first = await PostObservationAsync(Ehr, Observation("bp", identifier), ifNoneExist);
        using var second = await PostObservationAsync(Ehr, Observation("bp", identifier), ifNoneExist);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(1, await Ehr.CountAsync($"Observation?identifier={IdentifierSystem}|{identifier}"));
    }

    [Fact]
    public async Task ConditionalCreate_WhenTwoResourcesMatch_Returns412()
    {
        var identifier = NewIdentifier();
        using (var a = await PostObservationAsync(Ehr, Observation("heartrate", identifier)))
        using (var b = await PostObservationAsync(Ehr, Observation("heartrate", identifier)))
        {
            Assert.Equal(HttpStatusCode.Created, a.StatusCode);
            Assert.Equal(HttpStatusCode.Created, b.StatusCode);
        }

        using var response = await PostObservationAsync(Ehr, Observation("heartrate", identifier), $"identifier={IdentifierSystem}|{identifier}");

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal(2, await Ehr.CountAsync($"Observation?identifier={IdentifierSystem}|{identifier}"));
    }

    [Fact]
    public async Task Transaction_WithOneInvalidEntry_FailsWholeAndStoresNothing()
    {
        var good = NewIdentifier();
        var bad = NewIdentifier();
        var invalid = Observation("bp", bad);
        invalid.Remove("component");

        using var response = await PostTransactionAsync(Ehr, TransactionEntry(Observation("bodytemp", good), good), TransactionEntry(invalid, bad));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await Ehr.CountAsync($"Observation?identifier={IdentifierSystem}|{good}"));
        Assert.Equal(0, await Ehr.CountAsync($"Observation?identifier={IdentifierSystem}|{bad}"));
    }

    [Fact]
    public async Task Transaction_WithConditionalCreatesAndUuidReference_CommitsOnceAndResolvesTheReference()
    {
        var patientUuid = Guid.NewGuid();
        var patientIdentifier = NewIdentifier();
        var observationIdentifier = NewIdentifier();
        var patient = new JsonObject
        {
            ["resourceType"] = "Patient",
            ["identifier"] = new JsonArray(new JsonObject { ["system"] = IdentifierSystem, ["value"] = patientIdentifier }),
        };
        var observation = Observation("resprate", observationIdentifier);
        observation["subject"] = new JsonObject { ["reference"] = $"urn:uuid:{patientUuid}" };
        JsonObject[] Entries() =>
        [
            TransactionEntry(patient.DeepClone().AsObject(), patientIdentifier, $"urn:uuid:{patientUuid}", "Patient"),
            TransactionEntry(observation.DeepClone().AsObject(), observationIdentifier),
        ];

        using var first = await PostTransactionAsync(Ehr, Entries());
        using var again = await PostTransactionAsync(Ehr, Entries());

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(["201", "201"], await EntryStatusesAsync(first));
        Assert.Equal(["200", "200"], await EntryStatusesAsync(again));
        var stored = Assert.Single(await Ehr.SearchAllAsync($"Observation?identifier={IdentifierSystem}|{observationIdentifier}"));
        var storedPatient = Assert.Single(await Ehr.SearchAllAsync($"Patient?identifier={IdentifierSystem}|{patientIdentifier}"));
        Assert.Equal($"Patient/{storedPatient.GetProperty("id").GetString()}", stored.GetProperty("subject").GetProperty("reference").GetString());
    }

    [Fact]
    public async Task Outage_RefusesConnectionsThenServesAgainWithDataKept()
    {
        var identifier = NewIdentifier();
        using (var created = await PostObservationAsync(Ehr, Observation("bodyweight", identifier)))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await Ehr.OutageAsync(TimeSpan.FromSeconds(2));

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => Ehr.Http.GetAsync("metadata"));
        var socketError = Assert.IsType<SocketException>(refused.InnerException);
        Assert.Equal(SocketError.ConnectionRefused, socketError.SocketErrorCode);
        await Ehr.WaitUntilAvailableAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(1, await Ehr.CountAsync($"Observation?identifier={IdentifierSystem}|{identifier}"));
    }

    [Fact]
    public async Task Search_ByIdentifierAndAcrossPages_FindsEveryMatch()
    {
        var system = $"urn:test:{Guid.NewGuid():N}";
        for (var i = 0; i < 25; i++)
        {
            var observation = Observation("oxygensat", $"{i}");
            observation["identifier"]![0]!["system"] = system;
            using var response = await PostObservationAsync(Ehr, observation);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        var one = await Ehr.SearchAllAsync($"Observation?identifier={system}|7");
        var all = await Ehr.SearchAllAsync($"Observation?identifier={system}|", pageSize: 10);

        Assert.Equal("7", Assert.Single(one).GetProperty("identifier")[0].GetProperty("value").GetString());
        Assert.Equal(25, all.Count);
        Assert.Equal(25, all.Select(r => r.GetProperty("id").GetString()).Distinct().Count());
        Assert.Equal(25, await Ehr.CountAsync($"Observation?identifier={system}|"));
    }

    [Fact]
    public async Task Reset_EmptiesTheStore_AndCountAllFollowsPaging()
    {
        await Ehr.ResetAsync();
        for (var i = 0; i < 3; i++)
        {
            using var response = await PostObservationAsync(Ehr, Observation("heartrate", NewIdentifier()));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        Assert.Equal(3, await Ehr.CountAllObservationsAsync());
        await Ehr.ResetAsync();
        Assert.Equal(0, await Ehr.CountAllObservationsAsync());
    }

    [Fact]
    public async Task Metadata_IsACapabilityStatementFirelyParses_WithConditionalCreateAndTransactions()
    {
        using var response = await Ehr.Http.GetAsync("metadata");
        var json = await response.Content.ReadAsStringAsync();

        var capability = Assert.IsType<CapabilityStatement>(new FhirJsonDeserializer(new DeserializerSettings()).DeserializeResource(json));
        Assert.Equal(FHIRVersion.N4_0_1, capability.FhirVersion);
        var rest = Assert.Single(capability.Rest);
        Assert.Contains(rest.Interaction, i => i.Code == CapabilityStatement.SystemRestfulInteraction.Transaction);
        var observation = Assert.Single(rest.Resource, r => r.Type == "Observation");
        Assert.True(observation.ConditionalCreate);
        Assert.Contains("http://hl7.org/fhir/StructureDefinition/bp", observation.SupportedProfile);
    }

    [Fact]
    public async Task InjectedFaults_AnswerWithStatusAndRetryAfter_ThenServeNormally()
    {
        await Ehr.InjectFaultsAsync(503, count: 2, retryAfter: TimeSpan.FromSeconds(3));

        using var first = await Ehr.Http.GetAsync("metadata");
        using var second = await Ehr.Http.GetAsync("metadata");
        using var third = await Ehr.Http.GetAsync("metadata");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), first.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        using var stats = await Ehr.StatsAsync();
        Assert.True(stats.RootElement.GetProperty("byStatus").GetProperty("503").GetInt32() >= 2);
    }

    internal static string NewIdentifier() => $"urn:uuid:{Guid.NewGuid()}";

    internal static JsonObject Observation(string profile, string identifier)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "Simulators", $"observation-{profile}.json");
        var observation = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        observation["identifier"]![0]!["value"] = identifier;
        return observation;
    }

    private static JsonObject Quantity(decimal value, string code) => new()
    {
        ["value"] = value,
        ["unit"] = code,
        ["system"] = "http://unitsofmeasure.org",
        ["code"] = code,
    };

    internal static JsonObject TransactionEntry(JsonObject resource, string identifier, string? fullUrl = null, string type = "Observation")
    {
        var entry = new JsonObject
        {
            ["resource"] = resource,
            ["request"] = new JsonObject
            {
                ["method"] = "POST",
                ["url"] = type,
                ["ifNoneExist"] = $"identifier={IdentifierSystem}|{identifier}",
            },
        };
        if (fullUrl is not null)
        {
            entry["fullUrl"] = fullUrl;
        }
        return entry;
    }

    internal static async Task<HttpResponseMessage> PostObservationAsync(SandboxEhrProcess ehr, JsonObject observation, string? ifNoneExist = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "Observation")
        {
            Content = new StringContent(observation.ToJsonString(), Encoding.UTF8, "application/fhir+json"),
        };
        if (ifNoneExist is not null)
        {
            request.Headers.Add("If-None-Exist", ifNoneExist);
        }
        return await ehr.Http.SendAsync(request);
    }

    internal static async Task<HttpResponseMessage> PostTransactionAsync(SandboxEhrProcess ehr, params JsonObject[] entries)
    {
        var bundle = new JsonObject
        {
            ["resourceType"] = "Bundle",
            ["type"] = "transaction",
            ["entry"] = new JsonArray(entries.Select(e => (JsonNode)e).ToArray()),
        };
        using var content = new StringContent(bundle.ToJsonString(), Encoding.UTF8, "application/fhir+json");
        return await ehr.Http.PostAsync("", content);
    }

    private static async Task<string[]> EntryStatusesAsync(HttpResponseMessage response)
    {
        using var bundle = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("transaction-response", bundle.RootElement.GetProperty("type").GetString());
        return bundle.RootElement.GetProperty("entry").EnumerateArray()
            .Select(e => e.GetProperty("response").GetProperty("status").GetString()!)
            .ToArray();
    }
}
