namespace Vitals.Gateway.Delivery.Senders;

/// <summary>
/// One <c>Ehr:Profile</c>'s way of putting readings into the EHR. The delivery loop hands it up to
/// <see cref="MaxReadingsPerRequest"/> readings, at most one in flight per device, each device's in effective-time
/// order; it answers one <see cref="DeliveryResult"/> per reading, in the same order. Expected EHR outcomes are
/// results; caller cancellation (shutdown) propagates as <see cref="OperationCanceledException"/>.
/// </summary>
public interface IEhrSender
{
    /// <summary>1 for the per-reading profiles; <c>Ehr:Batch:MaxSize</c> for transactions.</summary>
    int MaxReadingsPerRequest { get; }

    Task<IReadOnlyList<DeliveryResult>> SendAsync(IReadOnlyList<OutgoingReading> readings, CancellationToken ct);
}
