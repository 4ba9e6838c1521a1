namespace Vitals.Gateway.Fhir;

/// <summary>How readings are written as FHIR resources. Configuration section <c>Fhir</c>; checked by <see cref="FhirOptionsValidator"/>.</summary>
public sealed class FhirOptions
{
    public const string SectionName = "Fhir";

    /// <summary>
    /// Identifier system of the de-duplication identifier of readings stored before identity scheme 2 (they keep the
    /// identifier they were, or will be, delivered with); newer readings use <see cref="FhirSystems.ObservationIdentifier"/>.
    /// </summary>
    public string IdentifierSystem { get; set; } = "urn:vitals-gateway:measurement";

    /// <summary>Identifier system for device ids that are not Bluetooth addresses, and for the gateway itself.</summary>
    public string DeviceIdentifierSystem { get; set; } = "urn:vitals-gateway:device";

    /// <summary>
    /// This gateway's identifier value (under <see cref="DeviceIdentifierSystem"/>), referenced from every Observation.
    /// Empty (the default): the EUI-64 the store generated at first run, as the PHD IG's SYSID (<see cref="GatewayDevice"/>).
    /// </summary>
    public string GatewayId { get; set; } = "";

    /// <summary>
    /// <c>Fhir:UploadInvalid</c>: a measurement its device flags invalid is, by default, not uploaded but kept in the
    /// rejected store with its reason; true uploads it as <c>entered-in-error</c> with dataAbsentReason <c>error</c>.
    /// </summary>
    public bool UploadInvalid { get; set; }

    /// <summary>
    /// <c>Fhir:Provenance</c>: file a Provenance with every delivered Bundle (agent the gateway Device, target the
    /// Observations, recorded the send time; docs/fhir.md, "Provenance"). Off by default: the EHR must accept Provenance
    /// and, for the conditional profiles, a chained search on its target.
    /// </summary>
    public bool Provenance { get; set; }
}
