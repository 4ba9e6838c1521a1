namespace Vitals.Gateway.Fhir;

/// <summary>The code systems, identifier systems and extension URLs the gateway writes (docs/fhir.md).</summary>
public static class FhirSystems
{
    public const string Loinc = "http://loinc.org";
    public const string Mdc = "urn:iso:std:iso:11073:10101";
    public const string Ucum = "http://unitsofmeasure.org";
    public const string ObservationCategory = "http://terminology.hl7.org/CodeSystem/observation-category";
    public const string PhdObservationCategory = "http://hl7.org/fhir/uv/phd/CodeSystem/PhdObservationCategories";
    public const string DataAbsentReason = "http://terminology.hl7.org/CodeSystem/data-absent-reason";
    public const string ActReason = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

    /// <summary>
    /// IEEE 11073-10201 measurement status codes as published by HL7 (PoCD IG); the PHD IG maps questionable,
    /// calibrating and early-estimate readings to Observation.interpretation.
    /// </summary>
    public const string MeasurementStatus = "http://hl7.org/fhir/uv/pocd/CodeSystem/measurement-status";

    /// <summary>
    /// The system of every Observation identifier of identity scheme 2 (docs/fhir.md, "Identifiers", which states the
    /// rule that computes the value). Fixed, not configurable: the rule is public so that any gateway holding the same
    /// device's data computes the same identifier.
    /// </summary>
    public const string ObservationIdentifier = "urn:vitals-gateway:observation-id:2";

    /// <summary>SNOMED CT (body structures for Observation.bodySite).</summary>
    public const string SnomedCt = "http://snomed.info/sct";

    /// <summary>The gateway's own tag vocabulary for how an effective time was obtained (TimeQuality).</summary>
    public const string TimeQuality = "urn:vitals-gateway:time-quality";

    /// <summary>Bluetooth device address as an identifier, value dash-separated upper-case hex (PHD IG).</summary>
    public const string BluetoothAddress = "http://hl7.org/fhir/sid/eui-48/bluetooth";

    public const string GatewayDeviceExtension = "http://hl7.org/fhir/StructureDefinition/observation-gatewayDevice";
}
