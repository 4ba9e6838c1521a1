namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>
/// A token bucket for one connection's PUBLISH packets: <paramref name="burst"/> at once, then
/// <paramref name="perSecond"/>. Over the rate the caller waits for the next token instead of being refused, so a
/// fast publisher is slowed (its acknowledgements come later) and nothing it sent is dropped. One caller at a time:
/// MQTTnet reads a connection's packets one after the other.
/// </summary>
internal sealed class PublishRateLimiter(double perSecond, int burst, TimeProvider time)
{
    private double _tokens = burst;
    private long _lastRefill = time.GetTimestamp();

    /// <summary>Takes one token, waiting for it if needed; true when the caller had to wait.</summary>
    public async ValueTask<bool> TakeAsync(CancellationToken ct)
    {
        Refill();
        if (_tokens >= 1)
        {
            _tokens--;
            return false;
        }
        var wait = TimeSpan.FromSeconds((1 - _tokens) / perSecond);
        await Task.Delay(wait, time, ct).ConfigureAwait(false);
        Refill();
        _tokens = Math.Max(0, _tokens - 1);
        return true;
    }

    private void Refill()
    {
        var now = time.GetTimestamp();
        _tokens = Math.Min(burst, _tokens + time.GetElapsedTime(_lastRefill, now).TotalSeconds * perSecond);
        _lastRefill = now;
    }
}
