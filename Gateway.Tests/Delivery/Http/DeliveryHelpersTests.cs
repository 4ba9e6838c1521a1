using Vitals.Gateway.Fhir;
using System.Net.Http.Headers;
using Identifier = Hl7.Fhir.Model.Identifier;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Http;

namespace Vitals.Gateway.Tests.Delivery.Http;

public sealed class DeliveryHelpersTests
{
    [Theory]
    [InlineData("https://ehr/fhir/R4/Observation/123/_history/1", "123")]
    [InlineData("/fhir/R4/Observation/abc-9.x", "abc-9.x")]
    [InlineData("Observation/77/_history/2", "77")]
    [InlineData("https://ehr/Observation/base/Observation/5/_history/1?x=y", "5")]
    public void The_id_is_read_from_a_Location(string location, string expected)
    {
        Assert.True(ResourceLocation.TryGetId(new Uri(location, UriKind.RelativeOrAbsolute), "Observation", out var id));
        Assert.Equal(expected, id);
    }

    [Theory]
    [InlineData("https://ehr/fhir/R4/Device/123/_history/1")]
    [InlineData("https://ehr/fhir/R4/Observation")]
    [InlineData("https://ehr/fhir/R4/Observation/_history")]
    public void A_Location_of_something_else_has_no_id(string location)
    {
        Assert.False(ResourceLocation.TryGetId(new Uri(location), "Observation", out _));
    }

    [Theory]
    [InlineData("""{"resourceType":"Observation","id":"o-1"}""", "o-1")]
    [InlineData("""{"resourceType":"OperationOutcome","id":"o-1"}""", null)]
    [InlineData("""<html>oops</html>""", null)]
    [InlineData("", null)]
    public void The_id_is_read_from_a_returned_resource(string body, string? expected)
    {
        Assert.Equal(expected is not null, ResourceLocation.TryGetIdFromBody(body, "Observation", out var id));
        Assert.Equal(expected, id);
    }

    [Theory]
    [InlineData("plain-value", "identifier=urn%3Aexample|plain-value")]
    [InlineData("a|b,c$d\\e", "identifier=urn%3Aexample|a%5C%7Cb%5C%2Cc%5C%24d%5C%5Ce")]
    [InlineData("dev 1+2&x=3", "identifier=urn%3Aexample|dev%201%2B2%26x%3D3")]
    public void If_None_Exist_escapes_by_the_FHIR_rules_then_percent_encodes(string value, string expected)
    {
        Assert.Equal(expected, ObservationIdentifier.ToSearchQuery(new Identifier("urn:example", value)));
    }

    [Fact]
    public void An_identifier_without_system_or_value_cannot_be_searched()
    {
        Assert.Throws<ArgumentException>(() => ObservationIdentifier.ToSearchQuery(new Identifier(null, "v")));
        Assert.Throws<ArgumentException>(() => ObservationIdentifier.ToSearchQuery(new Identifier("urn:x", null)));
    }

    [Fact]
    public void Retry_After_is_read_as_seconds_or_as_a_date_from_now()
    {
        var now = new DateTimeOffset(2026, 11, 25, 7, 30, 0, TimeSpan.Zero);

        Assert.Equal(TimeSpan.FromSeconds(120), RetryAfterHeader.ToDelay(RetryConditionHeaderValue.Parse("120"), now));
        Assert.Equal(TimeSpan.FromSeconds(45),
            RetryAfterHeader.ToDelay(RetryConditionHeaderValue.Parse("Wed, 25 Nov 2026 07:30:45 GMT"), now));
        Assert.Equal(TimeSpan.Zero,
            RetryAfterHeader.ToDelay(RetryConditionHeaderValue.Parse("Wed, 25 Nov 2026 07:00:00 GMT"), now));
        Assert.Null(RetryAfterHeader.ToDelay(null, now));
    }

    [Fact]
    public void An_OperationOutcome_is_summarised_without_free_text()
    {
        const string body = """
            {"resourceType":"OperationOutcome","issue":[
              {"severity":"error","code":"required","diagnostics":"Patient/p1 lacks x","expression":["Observation.subject"]},
              {"severity":"information","code":"informational","details":{"text":"value 98.6"}}]}
            """;

        Assert.Equal("error required at Observation.subject; information informational",
            OperationOutcomeSummary.TrySummarise(body));
        Assert.Null(OperationOutcomeSummary.TrySummarise("""{"resourceType":"Observation","status":"final"}"""));
        Assert.Null(OperationOutcomeSummary.TrySummarise("not json"));
        Assert.Null(OperationOutcomeSummary.TrySummarise(null));
    }
}
