namespace Vitals.Gateway.Delivery;

/// <summary>The <c>Ehr:Batch</c> section: how the fhir-transaction profile fills its Bundles.</summary>
public sealed class EhrBatchOptions
{
    /// <summary>
    /// Readings per transaction Bundle (not entries: a blood pressure reading is two Observations, and each new Device
    /// adds one entry, so a Bundle holds up to about 3 x MaxSize entries). Readings are the unit because a reading is
    /// what leaves the outbox or becomes a dead letter as a whole.
    /// </summary>
    public int MaxSize { get; set; } = 50;

    /// <summary>
    /// Entries per transaction Bundle (<c>Ehr:Batch:MaxEntries</c>), for an EHR that limits them (Medplum: 8 when any
    /// entry is conditional, and every entry here is). The readings handed over together (up to MaxSize) then go in
    /// several Bundles, one after the other; a reading's entries are never split, so a reading with more entries than
    /// this goes alone. Unset: as the EHR's preset says (<c>Ehr:Preset</c>), else no limit; 0 is no limit.
    /// </summary>
    public int? MaxEntries { get; set; }

    /// <summary>
    /// How long a Bundle that is not full waits for more readings before it is sent. Bounds the latency batching adds;
    /// 0 sends whatever is due at once.
    /// </summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(50);

    public override string ToString() => $"MaxSize={MaxSize}, MaxEntries={(MaxEntries is null ? "(preset)" : MaxEntries)}, Linger={Linger}";
}
