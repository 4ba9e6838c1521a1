using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Tests.Fhir;

public sealed class FhirOptionsTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.Empty(Validate(new FhirOptions()));
    }

    [Theory]
    [InlineData("not a uri")]
    [InlineData("/var/lib/ids")]
    [InlineData("relative/path")]
    [InlineData("urn:a|b")]
    [InlineData(" urn:vitals")]
    [InlineData("")]
    public void An_identifier_system_must_be_an_absolute_uri(string system)
    {
        var errors = Validate(new FhirOptions { IdentifierSystem = system });

        Assert.Contains(errors, e => e.StartsWith("Fhir:IdentifierSystem ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("https://vendor.example/devices")]
    [InlineData("urn:oid:1.2.3.4")]
    public void Absolute_uris_are_accepted(string system)
    {
        Assert.Empty(Validate(new FhirOptions { IdentifierSystem = system, DeviceIdentifierSystem = system }));
    }

    [Theory]
    [InlineData("hub|7")]
    [InlineData(" hub")]
    public void The_gateway_id_must_be_a_plain_value(string gatewayId)
    {
        Assert.Contains(Validate(new FhirOptions { GatewayId = gatewayId }), e => e.StartsWith("Fhir:GatewayId ", StringComparison.Ordinal));
    }

    [Fact]
    public void Invalid_configuration_is_reported_with_the_key_when_the_options_are_used()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Fhir:DeviceIdentifierSystem"] = "devices" })
            .Build();
        using var provider = new ServiceCollection().AddFhirMapping(configuration).BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ReadingMapper>());
        Assert.Contains("Fhir:DeviceIdentifierSystem", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configured_values_reach_the_mapper()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Fhir:IdentifierSystem"] = "https://hospital.example/vitals" })
            .Build();
        using var provider = new ServiceCollection().AddFhirMapping(configuration).BuildServiceProvider();

        var observation = provider.GetRequiredService<ReadingMapper>().Map(Some.ThermometerReading() with { IdentityScheme = 1 }, Some.BoundPatient).Observations[0];

        Assert.Equal("https://hospital.example/vitals", observation.Identifier[0].System);
    }

    private static IEnumerable<string> Validate(FhirOptions options) =>
        new FhirOptionsValidator().Validate(null, options).Failures ?? [];
}
