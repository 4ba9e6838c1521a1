using Hl7.Fhir.Model;
using Vitals.Devices;

namespace Vitals.Gateway.Fhir;

/// <summary>
/// What the PHD IG's PhdDevice profile (HL7 PHD IG STU 2, "PhdDevice" and "Device Identifier codes") puts on a
/// measuring device's Device resource beyond its type and name: the transport address identifier typed BTMAC, the
/// EUI-64 system identifier typed SYSID, manufacturer, model number, serial number, the firmware revision as a
/// version typed MDC_ID_PROD_SPEC_FW, the IEEE 11073-20601 specialization the readings belong to, and the clock's
/// time-synchronisation protocol. Only what the device reported is written: a part it never stated stays absent.
/// </summary>
internal static class PhdDeviceDescription
{
    /// <summary>HL7 terminology's Continua Device Identifiers (PHD IG STU 2, Device.identifier.type).</summary>
    public const string DeviceIdentifierTypes = "http://terminology.hl7.org/CodeSystem/ContinuaDeviceIdentifiers";

    /// <summary>The IEEE 11073 system identifier's identifier system in the PHD IG (the OID of MDC_ATTR_SYS_ID).</summary>
    public const string SystemIdSystem = "urn:oid:1.2.840.10004.1.1.1.0.0.1.0.0.1.2680";

    // IEEE 11073-10101 device specialization codes (MDC_DEV_SPEC_PROFILE_*: partition 8, 0x1000 + the 11073-104xx
    // number), as Device.specialization.systemType in the PHD IG. Kinds without an 11073 specialization (respiratory
    // rate from a GHS sensor, a heart-rate strap) get none.
    private static readonly Dictionary<VitalKind, (string Code, string Display)> Specializations = new()
    {
        [VitalKind.OxygenSaturation] = ("528388", "MDC_DEV_SPEC_PROFILE_PULS_OXIM"),
        [VitalKind.BloodPressure] = ("528391", "MDC_DEV_SPEC_PROFILE_BPM"),
        [VitalKind.BodyTemperature] = ("528392", "MDC_DEV_SPEC_PROFILE_TEMP"),
        [VitalKind.BodyWeight] = ("528399", "MDC_DEV_SPEC_PROFILE_SCALE"),
    };

    /// <summary>The BTMAC type of a Bluetooth address identifier.</summary>
    public static CodeableConcept BtmacType() => Type("BTMAC", "Bluetooth MAC address");

    /// <summary>The SYSID identifier of an EUI-64 in the IG's form (<c>C0-FF-EE-FF-FE-00-00-01</c>).</summary>
    public static Identifier SystemIdentifier(string eui64) => new(SystemIdSystem, eui64) { Type = Type("SYSID", "IEEE 11073 System Identifier") };

    public static void Describe(Device device, VitalKind kind, bool bluetooth, DeviceInformation? information)
    {
        if (Specializations.TryGetValue(kind, out var specialization))
        {
            device.Specialization.Add(new Device.SpecializationComponent
            {
                SystemType = new CodeableConcept(FhirSystems.Mdc, specialization.Code, specialization.Display, null),
            });
        }
        if (bluetooth)
        {
            // A Bluetooth LE health device's clock follows no synchronisation protocol: at best a collector writes
            // Current Time 0x2A2B (the gateway does, and then reports the correction as a Coincident Time Stamp).
            device.Property.Add(new Device.PropertyComponent
            {
                Type = new CodeableConcept(FhirSystems.Mdc, "68220", "MDC_TIME_SYNC_PROTOCOL", null),
                ValueCode = [new CodeableConcept(FhirSystems.Mdc, "532224", "MDC_TIME_SYNC_NONE", null)],
            });
        }
        if (information is null) return;
        if (information.SystemId is { } eui64) device.Identifier.Add(SystemIdentifier(eui64));
        device.Manufacturer = information.Manufacturer;
        device.ModelNumber = information.Model;
        device.SerialNumber = information.Serial;
        if (information.Firmware is { } firmware)
        {
            device.Version.Add(new Device.VersionComponent
            {
                Type = new CodeableConcept(FhirSystems.Mdc, "531976", "MDC_ID_PROD_SPEC_FW", null),
                Value = firmware,
            });
        }
    }

    private static CodeableConcept Type(string code, string display) => new(DeviceIdentifierTypes, code, display, null);
}
