using Hl7.Fhir.Model;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Tests.Fhir;

public sealed class FhirJsonTests
{
    [Fact]
    public void A_round_trip_keeps_decimal_precision()
    {
        var observation = Some.ReadingMapper().Map(Some.ThermometerReading(37.60m), Some.BoundPatient).Observations[0];

        var parsed = FhirJson.Parse<Observation>(FhirJson.Serialize(observation));

        Assert.Equal("37.60", Assert.IsType<Hl7.Fhir.Model.Quantity>(parsed.Value).Value!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(observation.IsExactly(parsed));
    }

    [Fact]
    public void Output_is_compact_unless_asked_to_be_pretty()
    {
        var device = Some.ReadingMapper().Map(Some.ThermometerReading(), Some.BoundPatient).Device;

        Assert.DoesNotContain('\n', FhirJson.Serialize(device));
        Assert.Contains('\n', FhirJson.Serialize(device, pretty: true));
        Assert.Equal(FhirJson.Serialize(device), System.Text.Encoding.UTF8.GetString(FhirJson.SerializeToUtf8Bytes(device)));
    }

    [Fact]
    public void Strict_parsing_rejects_what_is_not_R4()
    {
        Assert.Throws<FormatException>(() => FhirJson.Parse<Observation>("""{"resourceType":"Observation","status":"final","shoeSize":44}"""));
        Assert.Throws<FormatException>(() => FhirJson.Parse<Observation>("{not json"));
    }

    [Fact]
    public void Tolerant_parsing_accepts_elements_servers_add()
    {
        const string medplum = """{"resourceType":"OperationOutcome","meta":{"project":"p1","author":{"reference":"Practitioner/1"}},"issue":[{"severity":"error","code":"invalid","details":{"text":"bad"}}]}""";

        Assert.True(FhirJson.TryParse<OperationOutcome>(medplum, out var outcome, out var error), error);
        Assert.Equal("bad", outcome.Issue.Single().Details!.Text);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("""{"resourceType":1}""")]
    [InlineData("\"text\"")]
    [InlineData("{}")]
    [InlineData("""{"resourceType":"Patient","id":"1"}""")]
    [InlineData("""{"resourceType":"NoSuchThing"}""")]
    public void Tolerant_parsing_reports_unusable_input_without_throwing(string json)
    {
        Assert.False(FhirJson.TryParse<OperationOutcome>(json, out var resource, out var error));
        Assert.Null(resource);
        Assert.NotEmpty(error);
    }
}
