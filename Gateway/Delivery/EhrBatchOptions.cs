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
    /// How long a Bundle that is not full waits for more readings before it is sent. Bounds the latency batching adds;
    /// 0 sends whatever is due at once.
    /// </summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(50);

    public override string ToString() => $"MaxSize={MaxSize}, Linger={Linger}";
}
