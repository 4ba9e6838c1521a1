namespace Vitals.Gateway.Delivery.Compatibility;

/// <summary>
/// What the gateway changes for a known FHIR server (<c>Ehr:Preset</c>), as data: each preset is one row of settings
/// that docs/ehr.md ("Presets") shows. A setting the preset leaves null is not touched; a key configured explicitly
/// wins over the preset (<see cref="EhrServerPreset"/>). Only behaviour known from the server's own code or
/// documentation is here: a preset with nothing known is an explicit no-op.
/// </summary>
/// <param name="Name">The <c>Ehr:Preset</c> value.</param>
/// <param name="OmitProfiles"><c>Ehr:Compatibility:OmitProfiles</c>: profile URLs left out of meta.profile.</param>
/// <param name="BatchMaxEntries"><c>Ehr:Batch:MaxEntries</c>: entries per transaction Bundle.</param>
/// <param name="SingleCategory"><c>Ehr:Compatibility:SingleCategory</c>.</param>
/// <param name="Basis">Why, for the documentation and the log.</param>
public sealed record EhrPreset(string Name, IReadOnlyList<string>? OmitProfiles, int? BatchMaxEntries, bool? SingleCategory, string Basis)
{
    public const string Auto = "auto";

    /// <summary>The R4 core blood pressure profile (FHIR R4 Observation vital signs, 6.3.9.5).</summary>
    public const string BloodPressureProfile = "http://hl7.org/fhir/StructureDefinition/bp";

    /// <summary>Medplum's server (5.x).</summary>
    public static EhrPreset Medplum { get; } = new(
        "medplum",
        // Its validator cannot match a slice nested in a slice (bp's component:SystolicBP.code.coding:SBPCode) and
        // refuses every blood pressure naming bp: "Incorrect number of values provided for slice 'SystolicBP'". The R4
        // vital-signs profiles with one level of slicing (bodytemp, heartrate, ...) validate; bp is the only one of
        // them with a nested slice.
        [BloodPressureProfile],
        // A transaction with a conditional entry needs serializable isolation, allowed for at most 8 entries (its
        // fhir-router BatchProcessor, maxSerializableTransactionEntries); every entry the gateway sends is conditional.
        8,
        null,
        "bp misread by its validator; conditional transactions of at most 8 entries; quota 429 says when in RateLimit (honoured for every server)");

    /// <summary>HAPI FHIR JPA server: nothing known to work around.</summary>
    public static EhrPreset Hapi { get; } = new(
        "hapi", null, null, null,
        "no known quirk for these writes (conditional transactions of any size; profiles validated only when its validator is configured)");

    /// <summary>Epic: nothing a preset can set.</summary>
    public static EhrPreset Epic { get; } = new(
        "epic", null, null, null,
        "no-op: Epic documents neither conditional create nor transactions for Observation.Create (vitals), so it needs Ehr:Profile single-post and an Ehr:Compatibility:CodeMap per organisation, which a preset cannot choose");

    /// <summary>Oracle Health (Cerner) Millennium.</summary>
    public static EhrPreset OracleHealth { get; } = new(
        "oracle-health", null, null, true,
        "Millennium R4 POST Observation wants exactly one category; it also needs Ehr:Profile single-post and a Practitioner Ehr:Compatibility:Performer, which a preset cannot choose");

    /// <summary>Any other server: the settings as configured.</summary>
    public static EhrPreset Generic { get; } = new("generic", null, null, null, "nothing changed");

    /// <summary>Every preset, in the order docs/ehr.md lists them.</summary>
    public static IReadOnlyList<EhrPreset> All { get; } = [Medplum, Hapi, Epic, OracleHealth, Generic];

    /// <summary>The preset named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static EhrPreset? Find(string? name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The preset for the server a CapabilityStatement names; <see cref="Generic"/> when none is known.</summary>
    public static EhrPreset Identify(ServerIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        // Medplum's server names itself "medplum" in software.name and implementation.description (its fhir/metadata).
        if (Is(identity.SoftwareName, "medplum") || Is(identity.ImplementationDescription, "medplum") || Is(identity.Publisher, "Medplum"))
            return Medplum;
        if (Contains(identity.SoftwareName, "HAPI FHIR"))
            return Hapi;
        if (Is(identity.SoftwareName, "Epic") || Is(identity.Publisher, "Epic"))
            return Epic;
        // Millennium's statement has no software element: "Cerner implementation of FHIR on top of Millennium".
        if (Contains(identity.ImplementationDescription, "Millennium") || Contains(identity.SoftwareName, "Millennium")
            || Is(identity.Publisher, "Cerner") || Is(identity.Publisher, "Oracle Health"))
            return OracleHealth;
        return Generic;
    }

    /// <summary>The settings this preset makes, as <c>key=value</c> (empty for a no-op).</summary>
    public IReadOnlyList<(string Key, string Value)> Settings()
    {
        var settings = new List<(string, string)>();
        if (OmitProfiles is not null)
            settings.Add((EhrServerPreset.OmitProfilesKey, "[" + string.Join(", ", OmitProfiles) + "]"));
        if (BatchMaxEntries is { } entries)
            settings.Add((EhrServerPreset.MaxEntriesKey, entries.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (SingleCategory is { } single)
            settings.Add((EhrServerPreset.SingleCategoryKey, single ? "true" : "false"));
        return settings;
    }

    private static bool Is(string? text, string value) => string.Equals(text?.Trim(), value, StringComparison.OrdinalIgnoreCase);

    private static bool Contains(string? text, string value) => text?.Contains(value, StringComparison.OrdinalIgnoreCase) == true;
}
