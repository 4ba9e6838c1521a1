using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// The EHR client's per-request events, 3000-3001 and 3010-3011, all Debug: an outage is the delivery loop's to report
/// (once, 3105/3106), not once per request. 3020, a Warning, is the exception: a 2xx that does not prove delivery
/// (a proxy's login page, an OperationOutcome, a batch-response) points at a misrouted or misbehaving EHR.
/// </summary>
internal static partial class DeliveryLog
{
    // Debug: may carry identifiers (the If-None-Exist query is derived from device and patient data).
    [LoggerMessage(EventId = 3000, Level = LogLevel.Debug, Message = "{Method} {Url} If-None-Exist: {IfNoneExist} -> HTTP {Status} in {ElapsedMs} ms")]
    public static partial void EhrResponded(ILogger logger, string method, Uri url, string ifNoneExist, int status, long elapsedMs);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "{Method} {Url} failed after {ElapsedMs} ms")]
    public static partial void EhrRequestFailed(ILogger logger, Exception exception, string method, Uri url, long elapsedMs);

    // The reasons are built to be free of patient identifiers and measured values.
    [LoggerMessage(EventId = 3010, Level = LogLevel.Debug, Message = "Delivery to the EHR will be retried: {Reason} (Retry-After {RetryAfterSeconds} s)")]
    public static partial void EhrRetryLater(ILogger logger, string reason, double? retryAfterSeconds);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Debug, Message = "The EHR rejected a request with HTTP {Status}: {Reason}")]
    public static partial void EhrRejected(ILogger logger, int status, string reason);

    // The reason names status, media type and request kind only: no identifier, no value.
    [LoggerMessage(EventId = 3020, Level = LogLevel.Warning, Message = "{Reason}; not counted as delivered")]
    public static partial void UnexpectedAnswer(ILogger logger, string reason);
}
