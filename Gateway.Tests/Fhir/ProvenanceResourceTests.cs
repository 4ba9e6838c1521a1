using System.Text.Json;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Fhir;

/// <summary>
/// The Provenance of a delivery (<c>Fhir:Provenance</c>) against its golden file, validated as R4 by the Firely
/// validator; the rules asserted from the R4 Provenance resource (6.3) and the PHD IG's gateway Device. Run with
/// UPDATE_GOLDEN=1 to rewrite the expected file in the source tree, then review the diff.
/// </summary>
public sealed class ProvenanceResourceTests
{
    private const string Golden = "delivery-provenance.expected.json";
    private static readonly DateTimeOffset SentAt = new DateTimeOffset(2026, 11, 25, 7, 31, 2, 123, TimeSpan.FromHours(1)).AddTicks(4567);

    private static Provenance Sample()
    {
        var gateway = PhdDeviceDescription.SystemIdentifier("C2-5A-10-FF-FE-00-00-01");
        return ProvenanceResource.Create(
            ["urn:uuid:0b8f2f7e-5d55-4c1e-9a3a-0f1d6a3e2c11", "urn:uuid:6a0c1b2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"],
            new ResourceReference("Device/phg-1") { Identifier = gateway, Display = "Vitals Gateway C2-5A-10-FF-FE-00-00-01" },
            SentAt);
    }

    [Fact]
    public void The_Provenance_matches_its_golden_file()
    {
        var actual = Normalise(FhirJson.Serialize(Sample(), pretty: true));
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(RepoPaths.Root, "Gateway.Tests", "TestData", "Provenance", Golden), actual);
            return;
        }
        var expected = Path.Combine(AppContext.BaseDirectory, "TestData", "Provenance", Golden);
        Assert.True(File.Exists(expected), $"{Golden} is missing: run the tests with UPDATE_GOLDEN=1 and review it");
        Assert.Equal(Normalise(File.ReadAllText(expected)), actual);
    }

    [Fact]
    public void The_golden_Provenance_is_valid_R4()
    {
        var golden = FhirJson.Parse<Provenance>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "Provenance", Golden)));
        Assert.Empty(FhirValidation.Errors(golden));
    }

    [Fact]
    public void Targets_the_Observations_agent_the_gateway_recorded_the_send_instant_in_UTC()
    {
        var provenance = Sample();

        Assert.Equal(2, provenance.Target.Count);
        var agent = Assert.Single(provenance.Agent);
        Assert.Equal("Device/phg-1", agent.Who!.Reference);
        Assert.Equal(PhdDeviceDescription.SystemIdSystem, agent.Who.Identifier!.System);
        Assert.Equal("assembler", agent.Type!.Coding[0].Code);
        Assert.Equal("CREATE", provenance.Activity!.Coding[0].Code);
        // An instant (R4): the send time to the millisecond, in UTC.
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 6, 31, 2, 123, TimeSpan.Zero), provenance.Recorded);
        Assert.Equal(TimeSpan.Zero, provenance.Recorded!.Value.Offset);
    }

    [Fact]
    public void A_resend_is_recognised_by_a_chained_search_on_the_first_Observations_identifier()
    {
        var query = ProvenanceResource.IfNoneExist(new Identifier(FhirSystems.ObservationIdentifier, "0123abcd"));

        Assert.Equal("target:Observation.identifier=" + Uri.EscapeDataString(FhirSystems.ObservationIdentifier) + "|0123abcd", query);
    }

    [Fact]
    public void A_Provenance_without_targets_is_a_bug()
    {
        Assert.Throws<ArgumentException>(() => ProvenanceResource.Create([], new ResourceReference("Device/x"), SentAt));
    }

    private static string Normalise(string json) =>
        JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
}
