namespace Vitals.Gateway.Ingest.Ble;

/// <summary>
/// Exponential backoff with full jitter (a uniform delay between zero and min(max, base * 2^attempt)): many devices
/// lost at once (a bluetoothd restart) do not all reconnect in the same instant.
/// </summary>
public sealed class ReconnectBackoff(TimeSpan baseDelay, TimeSpan maxDelay, Func<double> random)
{
    private int _attempt;

    public ReconnectBackoff(BleOptions options) : this(options.ReconnectBaseDelay, options.ReconnectMaxDelay, Random.Shared.NextDouble)
    {
    }

    public int Attempt => _attempt;

    /// <summary>The delay before the next attempt; each call doubles the ceiling up to the maximum.</summary>
    public TimeSpan Next()
    {
        var ceiling = Ceiling(_attempt);
        if (_attempt < 62) _attempt++;
        return TimeSpan.FromTicks((long)(ceiling.Ticks * random()));
    }

    /// <summary>After a connection that worked: the next loss starts again from the base delay.</summary>
    public void Reset() => _attempt = 0;

    public TimeSpan Ceiling(int attempt)
    {
        var ticks = baseDelay.Ticks;
        for (var i = 0; i < attempt && ticks < maxDelay.Ticks; i++) ticks *= 2;
        return TimeSpan.FromTicks(Math.Min(ticks, maxDelay.Ticks));
    }
}
