namespace Vitals.Gateway;

/// <summary>
/// Exponential backoff with full jitter: before attempt n (0 for the first retry) the delay is drawn uniformly from
/// [0, min(Max, Base * Factor^n)). Full jitter needs no state beyond the attempt count (all the outbox keeps per
/// entry) and spreads best the retries of many clients that failed together: a broker restart, a bluetoothd restart,
/// an EHR outage. Without the spread they would all come back at the same instant and knock the peer over again.
/// The one backoff of the gateway: MQTT reconnects, BLE reconnects, the BlueZ resync and the delivery schedule.
/// </summary>
public sealed class ExponentialBackoff
{
    private readonly double _baseTicks;
    private readonly double _maxTicks;
    private readonly double _factor;
    private readonly Func<double> _jitter;

    /// <param name="jitter">Uniform values in [0, 1]; <see cref="Random.Shared"/> when null. Tests pass a constant.</param>
    public ExponentialBackoff(TimeSpan baseDelay, TimeSpan maxDelay, double factor = 2.0, Func<double>? jitter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(baseDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, baseDelay);
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1.0);
        _baseTicks = baseDelay.Ticks;
        _maxTicks = maxDelay.Ticks;
        _factor = factor;
        _jitter = jitter ?? Random.Shared.NextDouble;
    }

    /// <summary>The upper bound of the delay before attempt <paramref name="attempt"/> (0-based).</summary>
    public TimeSpan Ceiling(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        // In double arithmetic so that a large attempt count saturates at the cap (or +Infinity) instead of overflowing.
        var ticks = _baseTicks * Math.Pow(_factor, attempt);
        return TimeSpan.FromTicks((long)(ticks < _maxTicks ? ticks : _maxTicks));
    }

    /// <summary>A delay drawn with full jitter below <see cref="Ceiling"/>.</summary>
    public TimeSpan Delay(int attempt)
    {
        var j = _jitter();
        if (!(j >= 0.0 && j <= 1.0))
            throw new InvalidOperationException($"The jitter source returned {j}; it must return values in [0, 1].");
        return TimeSpan.FromTicks((long)(Ceiling(attempt).Ticks * j));
    }
}
