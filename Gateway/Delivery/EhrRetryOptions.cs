namespace Vitals.Gateway.Delivery;

/// <summary>The <c>Ehr:Retry</c> section: the backoff schedule of <see cref="RetryPolicy"/>.</summary>
public sealed class EhrRetryOptions
{
    /// <summary>The upper bound of the first retry's delay.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The cap of the computed (exponential) delay.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How much the delay's upper bound grows with each failed attempt.</summary>
    public double Factor { get; set; } = 2.0;

    /// <summary>
    /// The longest server Retry-After the gateway obeys. A server's Retry-After is honoured above
    /// <see cref="MaxDelay"/>, but an absurd one (a misconfigured proxy saying "a week") must not park readings
    /// for days, so it is cut to this.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a reading that fails alone with server errors (5xx, after its Bundle was split) is retried, counted from
    /// its receipt, before it becomes a dead letter with the answers it got (<c>Ehr:Retry:MaxAge</c>).
    /// </summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// While delivery is paused for a configuration fault (401 after a token refresh, 403, 404, 405), how often one
    /// request probes whether it has been fixed (<c>Ehr:Retry:ProbeInterval</c>).
    /// </summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(30);

    public override string ToString() =>
        $"BaseDelay={BaseDelay}, MaxDelay={MaxDelay}, Factor={Factor}, MaxRetryAfter={MaxRetryAfter}, MaxAge={MaxAge}, ProbeInterval={ProbeInterval}";
}
