using Vitals.Gateway.Ingest;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// Wakes the delivery loop as soon as ingest has committed something to send, so a reading does not wait for the next
/// poll. Signals coalesce: many notifications while the loop is busy mean one more pass.
/// </summary>
public sealed class DeliveryTrigger : IOutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void ReadingsQueued() => Notify();

    private void Notify()
    {
        try
        {
            if (_signal.CurrentCount == 0) _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Another notifier got there first between the check and the release; one pending signal is enough.
        }
    }

    /// <summary>Waits for a notification or the timeout. True when notified.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
