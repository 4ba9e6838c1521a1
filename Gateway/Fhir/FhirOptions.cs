namespace Vitals.Gateway.Fhir;

/// <summary>How readings are written as FHIR resources. Configuration section <c>Fhir</c>; checked by <see cref="FhirOptionsValidator"/>.</summary>
public sealed class FhirOptions
{
    public const string SectionName = "Fhir";

    /// <summary>Identifier system of the de-duplication identifier every Observation carries.</summary>
    public string IdentifierSystem { get; set; } = "urn:vitals-gateway:measurement";

    /// <summary>Identifier system for device ids that are not Bluetooth addresses, and for the gateway itself.</summary>
    public string DeviceIdentifierSystem { get; set; } = "urn:vitals-gateway:device";

    /// <summary>This gateway's identifier value (under <see cref="DeviceIdentifierSystem"/>), referenced from every Observation.</summary>
    public string GatewayId { get; set; } = "vitals-gateway";
}
