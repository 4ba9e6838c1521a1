namespace Vitals.Gateway.Ingest;

/// <summary>
/// Told after a commit queued readings for delivery, so that delivery need not wait for its next poll. Ingest's own
/// interface, implemented by delivery: ingest depends on no delivery type.
/// </summary>
public interface IOutboxSignal
{
    void ReadingsQueued();
}
