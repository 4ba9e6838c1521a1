using Hl7.Fhir.Model;
using Vitals.Devices;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Tests.Fhir;

/// <summary>
/// The measuring device's Device as the PHD IG STU 2 describes it (PhdDevice; "Device Identifier codes"; the MDC
/// Device Version Type and Time Synchronization Methods value sets): assertions written from the IG's text, its package
/// not being available offline. R4 validity of the same resources is checked by the golden tests.
/// </summary>
public sealed class PhdDeviceRulesTests
{
    private static readonly DeviceInformation Described = new()
    {
        Manufacturer = "Vitals Simulated Devices", Model = "VS-BP330", Serial = "BP000002", Firmware = "2.4.1",
        SystemId = "C0-FF-EE-FF-FE-00-00-02", BatteryPercent = 99,
    };

    [Fact]
    public void A_Bluetooth_device_has_its_address_typed_BTMAC_first_and_its_EUI_64_typed_SYSID()
    {
        var device = Map(Some.CuffReading() with { DeviceId = "C0:FF:EE:00:00:02" }, Described);

        var address = device.Identifier[0];
        Assert.Equal("http://hl7.org/fhir/sid/eui-48/bluetooth", address.System);
        Assert.Equal("C0-FF-EE-00-00-02", address.Value);
        Assert.Equal(("http://terminology.hl7.org/CodeSystem/ContinuaDeviceIdentifiers", "BTMAC"), Code(address.Type));
        var system = device.Identifier[1];
        Assert.Equal("urn:oid:1.2.840.10004.1.1.1.0.0.1.0.0.1.2680", system.System);
        Assert.Matches("^[0-9A-F]{2}(-[0-9A-F]{2}){7}$", system.Value);
        Assert.Equal(("http://terminology.hl7.org/CodeSystem/ContinuaDeviceIdentifiers", "SYSID"), Code(system.Type));
    }

    [Fact]
    public void What_the_device_said_about_itself_fills_manufacturer_model_serial_and_a_firmware_version()
    {
        var device = Map(Some.CuffReading() with { DeviceId = "C0:FF:EE:00:00:02" }, Described);

        Assert.Equal("Vitals Simulated Devices", device.Manufacturer);
        Assert.Equal("VS-BP330", device.ModelNumber);
        Assert.Equal("BP000002", device.SerialNumber);
        var version = Assert.Single(device.Version);
        Assert.Equal((FhirSystems.Mdc, "531976"), Code(version.Type)); // MDC_ID_PROD_SPEC_FW
        Assert.Equal("2.4.1", version.Value);
        // The battery level is an observation of the device's state, not a static attribute (PhdDevice).
        Assert.DoesNotContain(device.Property, p => p.Type.Coding.Any(c => c.Display?.Contains("BATT", StringComparison.Ordinal) == true));
    }

    [Theory]
    [InlineData(VitalKind.BloodPressure, "528391")]
    [InlineData(VitalKind.BodyTemperature, "528392")]
    [InlineData(VitalKind.OxygenSaturation, "528388")]
    [InlineData(VitalKind.BodyWeight, "528399")]
    public void The_specialization_is_the_11073_device_specialization_of_the_kind(VitalKind kind, string code)
    {
        var reading = kind switch
        {
            VitalKind.BloodPressure => Some.CuffReading(),
            VitalKind.OxygenSaturation => Some.OximeterReading(),
            VitalKind.BodyWeight => Some.ThermometerReading() with { Kind = VitalKind.BodyWeight, Value = new Vitals.Devices.Quantity(72.5m, Ucum.Kilogram), Site = null },
            _ => Some.ThermometerReading(),
        };

        var device = Map(reading, null);

        Assert.Equal((FhirSystems.Mdc, code), Code(Assert.Single(device.Specialization).SystemType));
    }

    [Fact]
    public void A_Bluetooth_clock_is_unsynchronised_and_a_device_that_said_nothing_has_no_made_up_parts()
    {
        var bluetooth = Map(Some.CuffReading() with { DeviceId = "C0:FF:EE:00:00:02" }, null);
        var mqtt = Map(Some.CuffReading() with { DeviceId = "cuff-1" }, null);

        var sync = Assert.Single(bluetooth.Property);
        Assert.Equal((FhirSystems.Mdc, "68220"), Code(sync.Type)); // MDC_TIME_SYNC_PROTOCOL
        Assert.Equal((FhirSystems.Mdc, "532224"), Code(Assert.Single(sync.ValueCode))); // MDC_TIME_SYNC_NONE
        Assert.Empty(mqtt.Property);
        Assert.Single(mqtt.Identifier);
        Assert.Null(mqtt.Identifier[0].Type);
        Assert.Null(bluetooth.Manufacturer);
        Assert.Null(bluetooth.ModelNumber);
        Assert.Null(bluetooth.SerialNumber);
        Assert.Empty(bluetooth.Version);
    }

    private static Device Map(Reading reading, DeviceInformation? information) =>
        Some.ReadingMapper().Map(reading, null, information).Device;

    private static (string?, string?) Code(CodeableConcept? concept) => (concept!.Coding[0].System, concept.Coding[0].Code);
}
