using Hl7.Fhir.Model;

namespace Vitals.Gateway.Fhir;

/// <summary>
/// What a measured quantity is called: its LOINC code (what the R4 vital-signs profiles require), an optional more
/// specific LOINC code, and its IEEE 11073-10101 (MDC) term (what the PHD IG adds), plus the text a clinician reads.
/// </summary>
public sealed record MeasurementCode(
    string Loinc,
    string LoincDisplay,
    string Mdc,
    string MdcReferenceId,
    string Text,
    string? AdditionalLoinc = null,
    string? AdditionalLoincDisplay = null)
{
    /// <summary>
    /// A fresh CodeableConcept (Firely models are mutable, so every Observation gets its own).
    /// <paramref name="includeMdc"/> is false for blood-pressure components: see <see cref="ReadingMapper"/>.
    /// </summary>
    public CodeableConcept ToCodeableConcept(bool includeMdc = true)
    {
        var concept = new CodeableConcept { Text = Text };
        concept.Coding.Add(new Coding(FhirSystems.Loinc, Loinc, LoincDisplay));
        if (AdditionalLoinc is not null)
        {
            concept.Coding.Add(new Coding(FhirSystems.Loinc, AdditionalLoinc, AdditionalLoincDisplay));
        }
        if (includeMdc)
        {
            concept.Coding.Add(new Coding(FhirSystems.Mdc, Mdc, MdcReferenceId));
        }
        return concept;
    }
}
