namespace Vitals.Gateway.Delivery;

/// <summary>
/// When to try a reading again after a failure that counts as its attempt (<see cref="DeliveryResult.RetryLater"/>
/// with a cause that may be the reading's: an outage, a server error for it alone, an answer that proves nothing).
/// Throttling (429, 503 with Retry-After), a size refusal and a configuration fault do not come here: the delivery
/// loop pauses and postpones the readings without counting an attempt (<see cref="OutcomeRecorder"/>), since a
/// server's load must not push each reading's own delay towards <see cref="EhrRetryOptions.MaxDelay"/>.
/// <para>
/// Exponential backoff with "full jitter": after the n-th failed attempt the delay is drawn uniformly from
/// [0, min(MaxDelay, BaseDelay * Factor^(n-1))). Full jitter was chosen over decorrelated jitter because it needs no
/// state beyond the attempt count, which is all the outbox keeps per entry (OutboxEntry.Attempts), and because it
/// spreads best the retries of many readings that failed together (an EHR outage), which is the case that matters:
/// without spread they would all return at the same instant and knock the recovering server over again.
/// </para>
/// <para>
/// A server's Retry-After on a counted failure is a floor: when it is later than the computed delay it wins, even above
/// MaxDelay, because retrying earlier is pointless and impolite. It is itself capped at
/// <see cref="EhrRetryOptions.MaxRetryAfter"/> (1 h by default) so that an absurd value cannot park readings for days.
/// </para>
/// </summary>
public sealed class RetryPolicy
{
    private readonly EhrRetryOptions _options;
    private readonly ExponentialBackoff _backoff;

    /// <param name="options">The schedule (validated at start-up by <see cref="EhrOptionsValidator"/>).</param>
    /// <param name="jitter">A source of uniform values in [0, 1), e.g. <c>Random.Shared.NextDouble</c>; tests pass a constant.</param>
    public RetryPolicy(EhrRetryOptions options, Func<double> jitter)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(jitter);
        _options = options;
        _backoff = new ExponentialBackoff(options.BaseDelay, options.MaxDelay, options.Factor, jitter);
    }

    /// <summary>The delay after <paramref name="failedAttempts"/> failures (1 for the first failure).</summary>
    public TimeSpan Delay(int failedAttempts, TimeSpan? retryAfter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempts, 1);

        var delay = _backoff.Delay(failedAttempts - 1);

        if (retryAfter is { } serverDelay)
        {
            if (serverDelay < TimeSpan.Zero)
                serverDelay = TimeSpan.Zero;
            if (serverDelay > _options.MaxRetryAfter)
                serverDelay = _options.MaxRetryAfter;
            if (serverDelay > delay)
                delay = serverDelay;
        }
        return delay;
    }

    /// <summary>When the next attempt is due, given the failure count so far (at least 1) and the server's Retry-After.</summary>
    public DateTimeOffset NextAttempt(int failedAttempts, TimeSpan? retryAfter, DateTimeOffset now) =>
        now + Delay(failedAttempts, retryAfter);
}
