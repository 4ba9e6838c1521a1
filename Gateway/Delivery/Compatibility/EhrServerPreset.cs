namespace Vitals.Gateway.Delivery.Compatibility;

/// <summary>
/// The settings in effect for the EHR: what is configured, filled in by the server's preset (<c>Ehr:Preset</c>,
/// <see cref="EhrPreset"/>). A named preset applies from the start; <c>auto</c> (the default) waits for the start-up
/// CapabilityStatement check (<see cref="EhrCapabilityCheck"/>) to identify the server, and until then, or when it
/// cannot, only the configuration counts. A key configured explicitly always wins over the preset. Read on every send
/// (<see cref="Current"/> is one immutable snapshot), so a preset identified after start-up applies to the next request.
/// </summary>
public sealed class EhrServerPreset
{
    public const string OmitProfilesKey = "Ehr:Compatibility:OmitProfiles";
    public const string MaxEntriesKey = "Ehr:Batch:MaxEntries";
    public const string SingleCategoryKey = "Ehr:Compatibility:SingleCategory";

    /// <summary>An <c>Ehr:Compatibility:OmitProfiles</c> entry that means "none" (an empty list cannot be configured).</summary>
    public const string NoProfiles = "none";

    private readonly IReadOnlyList<string>? _omitProfiles;
    private readonly int? _maxEntries;
    private readonly bool? _singleCategory;
    private readonly TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile EhrEffectiveSettings _current;

    public EhrServerPreset(EhrOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _omitProfiles = options.Compatibility.OmitProfiles?
            .Select(p => p.Trim())
            .Where(p => p.Length > 0 && !string.Equals(p, NoProfiles, StringComparison.OrdinalIgnoreCase))
            .ToList();
        _maxEntries = options.Batch.MaxEntries;
        _singleCategory = options.Compatibility.SingleCategory;
        IsAuto = string.IsNullOrWhiteSpace(options.Preset) || string.Equals(options.Preset.Trim(), EhrPreset.Auto, StringComparison.OrdinalIgnoreCase);
        _current = Compute(EhrPreset.Generic);
        if (!IsAuto)
        {
            // Validated at start-up (EhrOptionsValidator): a named preset is known.
            var preset = EhrPreset.Find(options.Preset) ?? EhrPreset.Generic;
            _current = Compute(preset);
            _settled.TrySetResult();
        }
    }

    /// <summary>True when the preset is chosen from the CapabilityStatement (<c>Ehr:Preset</c> auto).</summary>
    public bool IsAuto { get; }

    /// <summary>What to send by now.</summary>
    public EhrEffectiveSettings Current => _current;

    /// <summary>Completes once the preset is known, or once the check has given up for now.</summary>
    public Task Settled => _settled.Task;

    /// <summary>
    /// Puts <paramref name="preset"/> in effect (auto only; a named preset stays). Returns what it changes
    /// (<c>key=value</c>) and the keys it leaves as configured.
    /// </summary>
    public (IReadOnlyList<string> Changes, IReadOnlyList<string> Kept) Apply(EhrPreset preset)
    {
        ArgumentNullException.ThrowIfNull(preset);
        var changes = new List<string>();
        var kept = new List<string>();
        foreach (var (key, value) in preset.Settings())
        {
            var configured = key switch
            {
                OmitProfilesKey => _omitProfiles is not null,
                MaxEntriesKey => _maxEntries is not null,
                SingleCategoryKey => _singleCategory is not null,
                _ => false,
            };
            (configured ? kept : changes).Add(configured ? key : $"{key}={value}");
        }
        if (IsAuto)
            _current = Compute(preset);
        _settled.TrySetResult();
        return (changes, kept);
    }

    /// <summary>The check could not identify the server (yet): whatever is configured applies, delivery goes on.</summary>
    public void GiveUpForNow() => _settled.TrySetResult();

    private EhrEffectiveSettings Compute(EhrPreset preset) => new(
        preset,
        new HashSet<string>(_omitProfiles ?? preset.OmitProfiles ?? [], StringComparer.Ordinal),
        Math.Max(0, _maxEntries ?? preset.BatchMaxEntries ?? 0),
        _singleCategory ?? preset.SingleCategory ?? false);
}

/// <summary>One snapshot of the preset-affected settings.</summary>
/// <param name="Preset">The preset in effect (generic until one is identified).</param>
/// <param name="OmitProfiles">Profile URLs (without version) left out of meta.profile.</param>
/// <param name="MaxEntries">Entries per transaction Bundle; 0 for no limit.</param>
/// <param name="SingleCategory">Only the vital-signs category is sent.</param>
public sealed record EhrEffectiveSettings(EhrPreset Preset, IReadOnlySet<string> OmitProfiles, int MaxEntries, bool SingleCategory);
