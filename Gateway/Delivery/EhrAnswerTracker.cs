namespace Vitals.Gateway.Delivery;

/// <summary>
/// <see cref="IEhrReadiness"/> from the outcomes the delivery loop already reports through
/// <see cref="GatewayMetrics.EhrAnswered"/>: the last answer decides, and the state keeps the instant it began.
/// A reading-level refusal (422, 400) still means the EHR is reachable and the credentials are good.
/// </summary>
public sealed class EhrAnswerTracker : IEhrReadiness
{
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private EhrReadinessState _current = EhrReadinessState.NotYetKnown;

    public EhrAnswerTracker(GatewayMetrics metrics, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _time = time;
        metrics.EhrAnswered += Record;
    }

    public EhrReadinessState Current
    {
        get { lock (_gate) return _current; }
    }

    /// <summary>Folds one outcome into the state.</summary>
    public void Record(DeliveryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (availability, reason) = result switch
        {
            DeliveryResult.Delivered => (EhrAvailability.Available, (string?)null),
            DeliveryResult.Rejected { HttpStatus: 401 or 403 } r => (EhrAvailability.Unauthorised, $"HTTP {r.HttpStatus}: the EHR refused the gateway's credentials or rights (check Ehr:Auth)"),
            DeliveryResult.Rejected => (EhrAvailability.Available, null),
            // A 401 that a token refresh did not cure, a 403, 404 or 405: a configuration fault (credentials, scopes or
            // base path) that pauses delivery until it is fixed (RFC 9110 15.5.2, 15.5.4, 15.5.5, 15.5.6).
            DeliveryResult.RetryLater { Cause: RetryCause.Configuration } r => (EhrAvailability.Unauthorised, r.Reason),
            // A throttling server is up and answering: the outbox age check says whether it keeps up.
            DeliveryResult.RetryLater { Cause: RetryCause.Throttled } => (EhrAvailability.Available, null),
            DeliveryResult.RetryLater r => (EhrAvailability.Unreachable, r.Reason),
            _ => throw new ArgumentOutOfRangeException(nameof(result), result.GetType().Name, "unknown delivery outcome"),
        };
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var since = _current.Availability == availability && _current.Since is { } s ? s : now;
            _current = new EhrReadinessState(availability, reason, since, now);
        }
    }
}
