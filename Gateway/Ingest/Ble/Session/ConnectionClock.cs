namespace Vitals.Gateway.Ingest.Ble.Session;

/// <summary>
/// What one connection learnt about the device's clock. Stored readings arrive right after the link is up, before the
/// gateway has read (or set) Current Time, so values wait for <see cref="Ready"/>. When the gateway sets the clock,
/// values received before the write were stamped by the old clock and keep the old offset.
/// </summary>
internal sealed class ConnectionClock
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly List<(DateTimeOffset From, TimeSpan Offset, DateTimeOffset? MeasuredAt)> _offsets = [];

    public Task Ready => _ready.Task;

    /// <summary>
    /// The device clock is <paramref name="offset"/> off for values received from <paramref name="from"/> on, as
    /// measured at <paramref name="measuredAt"/> (the gateway's clock).
    /// </summary>
    public void Set(DateTimeOffset from, TimeSpan offset, DateTimeOffset? measuredAt = null)
    {
        lock (_gate)
        {
            _offsets.Add((from, offset, measuredAt));
        }
    }

    public void Release() => _ready.TrySetResult();

    public TimeSpan OffsetAt(DateTimeOffset receivedAt)
    {
        lock (_gate)
        {
            if (_offsets.Count == 0) return TimeSpan.Zero;
            var offset = _offsets[0].Offset;
            foreach (var (from, value, _) in _offsets)
            {
                if (from <= receivedAt) offset = value;
            }
            return offset;
        }
    }

    /// <summary>When the offset that applies at <paramref name="receivedAt"/> was measured; null when none was.</summary>
    public DateTimeOffset? MeasuredAt(DateTimeOffset receivedAt)
    {
        lock (_gate)
        {
            if (_offsets.Count == 0) return null;
            var at = _offsets[0].MeasuredAt;
            foreach (var (from, _, measuredAt) in _offsets)
            {
                if (from <= receivedAt) at = measuredAt;
            }
            return at;
        }
    }
}
