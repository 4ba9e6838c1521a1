namespace Vitals.Gateway.Fhir;

/// <summary>
/// A body-temperature measurement site: the name devices use (README "MQTT contract"), the text shown to clinicians,
/// the MDC term for a temperature at that site where ISO/IEEE 11073-10101 has one (it becomes the MDC coding of
/// Observation.code, as the PHD IG puts a site-specific type there), and the SNOMED CT body structure for
/// Observation.bodySite where there is one (FHIR R4 Observation.bodySite is bound to SNOMED CT body structures).
/// </summary>
public sealed record TemperatureSite(
    string Name,
    string Text,
    string? Mdc = null,
    string? MdcReferenceId = null,
    string? Snomed = null,
    string? SnomedDisplay = null);
