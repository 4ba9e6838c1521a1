using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Tests.Fhir;

public sealed class DeviceIdentifierTests
{
    [Fact]
    public void A_bluetooth_address_becomes_an_eui48_identifier_with_dashes()
    {
        var identifier = DeviceIdentifier.Create("00:1C:05:00:78:25", new FhirOptions());

        Assert.Equal(("http://hl7.org/fhir/sid/eui-48/bluetooth", "00-1C-05-00-78-25"), (identifier.System, identifier.Value));
    }

    [Theory]
    [InlineData("thermo-1")]
    [InlineData("00:1c:05:00:78:25")]
    [InlineData("00:1C:05:00:78")]
    [InlineData("00-1C-05-00-78-25")]
    public void Any_other_device_id_is_kept_under_the_configured_system(string deviceId)
    {
        var identifier = DeviceIdentifier.Create(deviceId, new FhirOptions { DeviceIdentifierSystem = "https://vendor.example/devices" });

        Assert.Equal(("https://vendor.example/devices", deviceId), (identifier.System, identifier.Value));
    }

    [Fact]
    public void The_gateway_is_identified_by_its_configured_id()
    {
        var identifier = DeviceIdentifier.ForGateway(new FhirOptions { GatewayId = "hub-7" });

        Assert.Equal(("urn:vitals-gateway:device", "hub-7"), (identifier.System, identifier.Value));
    }
}
