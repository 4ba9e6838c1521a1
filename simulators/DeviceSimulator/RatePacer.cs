namespace Vitals.Simulators.DeviceSimulator;

/// <summary>
/// Hands out send slots at a fixed rate on an absolute schedule (slot n is due at start + n / rate), so the rate is
/// kept on average however long each publish takes; after a stall it catches up with at most one second's worth of
/// slots at once. Rate 0 means unpaced: every slot is due at once.
/// </summary>
public sealed class RatePacer
{
    private static readonly TimeSpan MaxCatchUp = TimeSpan.FromSeconds(1);
    private readonly double _ratePerSecond;
    private readonly TimeProvider _time;
    private long _startTimestamp;
    private long _issued;

    public RatePacer(double ratePerSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ratePerSecond);
        _ratePerSecond = ratePerSecond;
        _time = time;
        _startTimestamp = time.GetTimestamp();
    }

    /// <summary>Slots given out so far.</summary>
    public long Issued => _issued;

    /// <summary>How long until the next slot is due (zero when it already is).</summary>
    public TimeSpan UntilNext()
    {
        if (_ratePerSecond == 0)
        {
            return TimeSpan.Zero;
        }
        var elapsed = _time.GetElapsedTime(_startTimestamp);
        var due = TimeSpan.FromSeconds(_issued / _ratePerSecond);
        if (elapsed - due > MaxCatchUp)
        {
            // Forget the slots missed during a long stall rather than bursting all of them: move the schedule's start
            // so that the next slot was due MaxCatchUp ago.
            var shift = elapsed - MaxCatchUp - due;
            _startTimestamp += (long)(shift.TotalSeconds * _time.TimestampFrequency);
            elapsed = _time.GetElapsedTime(_startTimestamp);
        }
        return due > elapsed ? due - elapsed : TimeSpan.Zero;
    }

    /// <summary>Waits until the next slot is due and takes it.</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        var wait = UntilNext();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
        _issued++;
    }
}
