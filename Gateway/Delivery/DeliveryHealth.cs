namespace Vitals.Gateway.Delivery;

/// <summary>
/// Whether delivery is paused for a configuration fault (401 after a token refresh, 403, 404, 405: a wrong base URL,
/// scope or credential), why and since when. Written by the delivery loop, read by the status page and readiness
/// probes. While paused, readings wait in the outbox and one request probes the EHR now and then.
/// </summary>
public sealed class DeliveryHealth
{
    private readonly Lock _gate = new();
    private State _state = new(false, null, null);

    private sealed record State(bool Paused, string? Reason, DateTimeOffset? Since);

    public bool Paused => Snapshot().Paused;

    /// <summary>Why delivery is paused (free of patient data: the request and the server's status), or null.</summary>
    public string? Reason => Snapshot().Reason;

    /// <summary>When the pause began, or null when not paused.</summary>
    public DateTimeOffset? Since => Snapshot().Since;

    /// <summary>All three at once, consistent with each other.</summary>
    public (bool Paused, string? Reason, DateTimeOffset? Since) Snapshot()
    {
        State s;
        lock (_gate) s = _state;
        return (s.Paused, s.Reason, s.Since);
    }

    /// <returns>True when this starts the pause (it was not paused before).</returns>
    public bool Pause(string reason, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(reason);
        lock (_gate)
        {
            var started = !_state.Paused;
            _state = new State(true, reason, started ? at : _state.Since);
            return started;
        }
    }

    /// <returns>True when it was paused.</returns>
    public bool Resume()
    {
        lock (_gate)
        {
            var was = _state.Paused;
            _state = new State(false, null, null);
            return was;
        }
    }
}
