using Vitals.Devices;

namespace Vitals.Gateway.Fhir;

/// <summary>
/// How one kind of reading is written: the R4 core vital-signs profile its Observation claims, its code, the UCUM
/// units that profile allows for the value, and how its measuring device is named.
/// </summary>
public sealed record VitalSignDefinition(
    VitalKind Kind,
    string Profile,
    MeasurementCode Code,
    IReadOnlyList<string> Units,
    string DeviceLabel);
