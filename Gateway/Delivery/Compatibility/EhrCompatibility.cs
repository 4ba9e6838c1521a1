using System.Text.RegularExpressions;
using Hl7.Fhir.Model;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Delivery.Compatibility;

/// <summary>
/// Applies <c>Ehr:Compatibility</c> to a mapped reading before it is sent: a single category, a performer, the EHR's
/// own codes next to LOINC, and leaving out elements an EHR rejects. Works on copies: the mapping itself (and the
/// de-duplication identifiers taken from it) stays as the mapper made it. With nothing configured it is the identity.
/// </summary>
public sealed partial class EhrCompatibility
{
    public const string OmitDevice = "device";
    public const string OmitIdentifier = "identifier";
    public const string OmitMeta = "meta";
    public const string OmitMetaProfile = "meta.profile";
    public const string OmitMetaTag = "meta.tag";
    public const string OmitInterpretation = "interpretation";
    public const string OmitNote = "note";
    public const string OmitBodySite = "bodySite";
    public const string OmitMapComponent = "component.map";
    public const string OmitMdcCoding = "code.mdc";

    /// <summary>
    /// What <c>Ehr:Compatibility:Omit</c> accepts. <c>device</c>: no Observation.device and no Device is created;
    /// <c>identifier</c>: no Observation.identifier (single-post only: conditional creates search by it);
    /// <c>meta</c> (all of it: profile and tags; never the test-data security label) or only <c>meta.profile</c> /
    /// <c>meta.tag</c>; <c>interpretation</c>; <c>note</c>; <c>bodySite</c>; <c>component.map</c>: the derived mean
    /// arterial pressure component of a blood pressure; <c>code.mdc</c>: the IEEE 11073 MDC codings next to LOINC.
    /// </summary>
    public static IReadOnlyList<string> OmittableElements { get; } =
        [OmitDevice, OmitIdentifier, OmitMeta, OmitMetaProfile, OmitMetaTag, OmitInterpretation, OmitNote, OmitBodySite, OmitMapComponent, OmitMdcCoding];

    private readonly EhrServerPreset _preset;
    private readonly ResourceReference? _performer;
    private readonly Dictionary<string, Coding> _codeMap;
    private readonly HashSet<string> _omit;

    /// <param name="options">Validated at start-up (<see cref="EhrOptionsValidator"/>); an invalid entry here is a bug.</param>
    public EhrCompatibility(EhrCompatibilityOptions options)
        : this(options, new EhrServerPreset(new EhrOptions { Compatibility = options, Preset = EhrPreset.Generic.Name }))
    {
    }

    /// <param name="options">Validated at start-up (<see cref="EhrOptionsValidator"/>); an invalid entry here is a bug.</param>
    /// <param name="preset">The server's preset: SingleCategory and OmitProfiles as in effect at each <see cref="Apply(MappedReading)"/>.</param>
    public EhrCompatibility(EhrCompatibilityOptions options, EhrServerPreset preset)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(preset);
        _preset = preset;
        _performer = string.IsNullOrWhiteSpace(options.Performer) ? null : new ResourceReference(options.Performer.Trim());
        _codeMap = new Dictionary<string, Coding>(StringComparer.Ordinal);
        foreach (var (loinc, target) in options.CodeMap)
        {
            if (!TryParseCoding(target, out var coding))
                throw new ArgumentException($"Ehr:Compatibility:CodeMap:{loinc} is not system|code[|display]", nameof(options));
            _codeMap[loinc] = coding;
        }
        _omit = new HashSet<string>(options.Omit.Select(o => o.Trim()), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>False when <c>device</c> is left out: then no Device is created and Observations name none.</summary>
    public bool SendsDevice => !_omit.Contains(OmitDevice);

    /// <summary>True when nothing is configured nor preset (the resources go out as mapped).</summary>
    public bool IsIdentity => IsIdentityUnder(_preset.Current);

    /// <summary>
    /// Completes once the server's preset is known, or once the server has answered and cannot be identified: the
    /// delivery loop waits for it before its first request, so no reading goes out under the wrong settings.
    /// </summary>
    public System.Threading.Tasks.Task PresetSettled => _preset.Settled;

    private bool IsIdentityUnder(EhrEffectiveSettings settings) =>
        !settings.SingleCategory && settings.OmitProfiles.Count == 0 && _performer is null && _codeMap.Count == 0 && _omit.Count == 0;

    /// <summary>The reading to send: <paramref name="mapped"/> itself when nothing is configured, else changed copies.</summary>
    public MappedReading Apply(MappedReading mapped)
    {
        ArgumentNullException.ThrowIfNull(mapped);
        var settings = _preset.Current;
        if (IsIdentityUnder(settings))
            return mapped;
        // The Coincident Time Stamp takes the same switches, with two consequences. Its only code is MDC 67975, so an
        // EHR that is sent no MDC coding cannot file it: it is left out, and the corrected Observations' derivedFrom
        // links to it with it. Those links name it by identifier only (CoincidentTimeStamp.Reference), so where
        // identifiers are left out they cannot resolve and go too; the time stamp itself is then sent without one.
        var coincident = mapped.CoincidentTimeStamp;
        var dropCoincident = coincident is not null && _omit.Contains(OmitMdcCoding);
        var unlink = coincident is not null && (dropCoincident || _omit.Contains(OmitIdentifier));
        var observations = new List<Observation>(mapped.Observations.Count);
        foreach (var original in mapped.Observations)
        {
            var o = (Observation)original.DeepCopy();
            Apply(o, settings);
            if (unlink)
                o.DerivedFrom.RemoveAll(r => NamesCoincident(r, coincident!));
            observations.Add(o);
        }
        Observation? sentCoincident = null;
        if (coincident is not null && !dropCoincident)
        {
            sentCoincident = (Observation)coincident.DeepCopy();
            Apply(sentCoincident, settings);
        }
        return new MappedReading(mapped.Device, observations) { CoincidentTimeStamp = sentCoincident };
    }

    private static bool NamesCoincident(ResourceReference link, Observation coincident) =>
        link.Reference is null && link.Identifier is { } id
        && coincident.Identifier.Any(c => c.System == id.System && c.Value == id.Value);

    private void Apply(Observation o, EhrEffectiveSettings settings)
    {
        if (settings.SingleCategory)
            o.Category.RemoveAll(c => !c.Coding.Any(x => x.System == FhirSystems.ObservationCategory && x.Code == "vital-signs"));
        if (_performer is not null)
            o.Performer.Add((ResourceReference)_performer.DeepCopy());
        if (_omit.Contains(OmitMapComponent))
            o.Component.RemoveAll(c => HasLoinc(c.Code, VitalSignCodes.MeanArterial.Loinc));
        if (_omit.Contains(OmitMdcCoding))
        {
            RemoveMdc(o.Code);
            foreach (var component in o.Component)
                RemoveMdc(component.Code);
        }
        if (_codeMap.Count > 0)
        {
            AddMapped(o.Code);
            foreach (var component in o.Component)
                AddMapped(component.Code);
        }
        if (_omit.Contains(OmitDevice))
            o.Device = null;
        if (_omit.Contains(OmitIdentifier))
            o.Identifier.Clear();
        if (_omit.Contains(OmitInterpretation))
            o.Interpretation.Clear();
        if (_omit.Contains(OmitNote))
            o.Note.Clear();
        if (_omit.Contains(OmitBodySite))
            o.BodySite = null;
        if (_omit.Contains(OmitMeta))
        {
            // The HTEST label is not omittable: test data must never be charted as a patient's (PHD IG; docs/fhir.md).
            o.Meta = o.Meta is { Security.Count: > 0 } meta ? new Meta { Security = meta.Security } : null;
        }
        else if (o.Meta is not null)
        {
            if (_omit.Contains(OmitMetaProfile))
                o.Meta.Profile = [];
            else if (settings.OmitProfiles.Count > 0)
                o.Meta.Profile = o.Meta.Profile.Where(p => p is null || !settings.OmitProfiles.Contains(p.Split('|')[0])).ToList();
            if (_omit.Contains(OmitMetaTag))
                o.Meta.Tag.Clear();
            if (!o.Meta.Profile.Any() && o.Meta.Tag.Count == 0 && o.Meta.Security.Count == 0 && o.Meta.VersionId is null && o.Meta.LastUpdated is null)
                o.Meta = null;
        }
    }

    private static bool HasLoinc(CodeableConcept? concept, string code) =>
        concept?.Coding.Any(c => c.System == FhirSystems.Loinc && c.Code == code) == true;

    private static void RemoveMdc(CodeableConcept? concept) => concept?.Coding.RemoveAll(c => c.System == FhirSystems.Mdc);

    private void AddMapped(CodeableConcept? concept)
    {
        if (concept is null)
            return;
        var extra = concept.Coding
            .Where(c => c.System == FhirSystems.Loinc && c.Code is not null && _codeMap.ContainsKey(c.Code))
            .Select(c => _codeMap[c.Code!])
            .Where(m => !concept.Coding.Any(c => c.System == m.System && c.Code == m.Code))
            .ToList();
        foreach (var coding in extra)
            concept.Coding.Add((Coding)coding.DeepCopy());
    }

    /// <summary><c>system|code</c> or <c>system|code|display</c> with an absolute system URI.</summary>
    public static bool TryParseCoding(string? text, out Coding coding)
    {
        coding = null!;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var parts = text.Split('|');
        if (parts.Length is < 2 or > 3)
            return false;
        var system = parts[0].Trim();
        var code = parts[1].Trim();
        if (!Uri.TryCreate(system, UriKind.Absolute, out _) || code.Length == 0)
            return false;
        coding = new Coding(system, code, parts.Length == 3 && parts[2].Trim().Length > 0 ? parts[2].Trim() : null);
        return true;
    }

    /// <summary>A relative reference to who performed the measurement, e.g. <c>Practitioner/123</c>.</summary>
    public static bool IsPerformerReference(string text) => PerformerReference().IsMatch(text);

    /// <summary>A LOINC code's shape (digits, dash, check digit).</summary>
    public static bool IsLoincCode(string text) => LoincCode().IsMatch(text);

    [GeneratedRegex("^(Practitioner|PractitionerRole|Organization|CareTeam|Patient|RelatedPerson)/[A-Za-z0-9\\-.]{1,64}$")]
    private static partial Regex PerformerReference();

    [GeneratedRegex("^[0-9]{1,7}-[0-9]$")]
    private static partial Regex LoincCode();
}
