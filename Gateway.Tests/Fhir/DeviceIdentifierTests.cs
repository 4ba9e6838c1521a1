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
        var identifier = new GatewayDevice(Microsoft.Extensions.Options.Options.Create(new FhirOptions { GatewayId = "hub-7" })).Identifier;

        Assert.Equal(("urn:vitals-gateway:device", "hub-7"), (identifier.System, identifier.Value));
    }

    [Fact]
    public void Without_a_configured_id_the_gateway_is_its_generated_EUI_64_as_a_SYSID()
    {
        var gateway = new GatewayDevice(Microsoft.Extensions.Options.Options.Create(new FhirOptions()));
        Assert.Equal(GatewayDevice.Fallback, gateway.Identifier.Value); // decode, without a store

        gateway.UseGenerated("02-1A-2B-3C-4D-5E-6F-70");
        gateway.UseGenerated("06-00-00-00-00-00-00-01"); // set once: a later value does not move the gateway

        var identifier = gateway.Identifier;
        Assert.Equal(("urn:oid:1.2.840.10004.1.1.1.0.0.1.0.0.1.2680", "02-1A-2B-3C-4D-5E-6F-70"), (identifier.System, identifier.Value));
        Assert.Equal("SYSID", identifier.Type!.Coding[0].Code);
        var device = gateway.Resource();
        Assert.Equal("531981", device.Type!.Coding[0].Code); // PhgDevice: MDC_MOC_VMS_MDS_AHD
        Assert.Equal(identifier.Value, Assert.Single(device.Identifier).Value);
        Assert.Empty(FhirValidation.Errors(device));
    }
}
