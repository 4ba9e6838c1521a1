using System.Net.Http.Headers;

namespace Vitals.Gateway.Delivery.Http;

/// <summary>Reads Retry-After (RFC 9110 10.2.3): delta-seconds or an HTTP-date, as a delay from <c>now</c>.</summary>
public static class RetryAfterHeader
{
    /// <summary>The delay the server asked for; null when it sent none (or nothing parseable); never negative.</summary>
    public static TimeSpan? ToDelay(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header is null)
            return null;
        if (header.Delta is { } delta)
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header.Date is { } date)
        {
            // A date in the past (clock skew between gateway and server) means "now", not an error.
            var delay = date - now;
            return delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
        }
        return null;
    }
}
