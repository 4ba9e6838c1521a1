namespace Vitals.Gateway.Delivery.Compatibility;

/// <summary>
/// The <c>Ehr:Compatibility</c> section: per-EHR switches applied to the mapped resources just before they are sent
/// (<see cref="EhrCompatibility"/>), for EHRs that want less or different from the R4 vital-signs profile (ehr.md:
/// Oracle Health wants exactly one category and a Practitioner performer; Epic maps codes per organisation).
/// </summary>
public sealed class EhrCompatibilityOptions
{
    /// <summary>
    /// Keep only the <c>vital-signs</c> category (the PHD category is dropped). Unset: as the EHR's preset says
    /// (<c>Ehr:Preset</c>), else false.
    /// </summary>
    public bool? SingleCategory { get; set; }

    /// <summary>A reference added as Observation.performer, e.g. <c>Practitioner/123</c>.</summary>
    public string? Performer { get; set; }

    /// <summary>
    /// LOINC code -> the EHR's own coding as <c>system|code</c> or <c>system|code|display</c>. The EHR's coding is
    /// ADDED to Observation.code (and to a component's code) next to LOINC, not put in its place: the LOINC coding is
    /// what the vital-signs profile requires and what other readers of the record search by, and a FHIR server files
    /// by whichever coding it knows.
    /// </summary>
    public Dictionary<string, string> CodeMap { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Elements to leave out, from <see cref="EhrCompatibility.OmittableElements"/>.</summary>
    public List<string> Omit { get; set; } = [];

    /// <summary>
    /// Profile URLs to leave out of meta.profile (the others stay), for an EHR whose validator misreads a profile.
    /// Unset: as the EHR's preset says (Medplum: the R4 <c>bp</c> profile); <c>none</c> for no profile at all.
    /// </summary>
    public List<string>? OmitProfiles { get; set; }

    public override string ToString() =>
        $"SingleCategory={(SingleCategory is null ? "(preset)" : SingleCategory)}, Performer={(Performer is null ? "(none)" : "(set)")}, CodeMap={CodeMap.Count} codes, Omit=[{string.Join(",", Omit)}], OmitProfiles={(OmitProfiles is null ? "(preset)" : "[" + string.Join(",", OmitProfiles) + "]")}";
}
