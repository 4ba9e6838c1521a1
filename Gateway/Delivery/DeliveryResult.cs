namespace Vitals.Gateway.Delivery;

/// <summary>The expected outcomes of sending a reading to the EHR (bugs are exceptions, not results).</summary>
public abstract record DeliveryResult
{
    /// <summary>Every resource was accepted (2xx). ServerIds are the ids the server gave, e.g. "Observation/12".</summary>
    public sealed record Delivered(IReadOnlyList<string> ServerIds) : DeliveryResult;

    /// <summary>
    /// Not delivered this time (network, timeout, 408, 429, 5xx, an answer that proves nothing, a configuration fault);
    /// try again, not before RetryAfter when given. <see cref="Cause"/> says whose failure it is, which decides whether
    /// it counts as an attempt of the reading (only failures that may be the reading's do).
    /// </summary>
    public sealed record RetryLater(string Reason, TimeSpan? RetryAfter) : DeliveryResult
    {
        public RetryCause Cause { get; init; } = RetryCause.Unavailable;

        /// <summary>The HTTP status of the answer (0 when there was none), for a dead letter and the answer history.</summary>
        public int HttpStatus { get; init; }

        /// <summary>The request that was sent, for a dead letter (a reading refused for its size when it cannot shrink).</summary>
        public string? Request { get; init; }

        /// <summary>The answer's body, for a dead letter.</summary>
        public string? Response { get; init; }
    }

    /// <summary>A permanent refusal (other 4xx): the reading becomes a dead letter with the server's answer.</summary>
    public sealed record Rejected(string Reason, int HttpStatus, string Request, string? Response) : DeliveryResult;
}

/// <summary>Why a <see cref="DeliveryResult.RetryLater"/> came back: the delivery loop's flow control keys on it.</summary>
public enum RetryCause
{
    /// <summary>The EHR could not be reached, or its answer proved nothing: retried with the reading's backoff.</summary>
    Unavailable,

    /// <summary>429, or 503 with Retry-After: the server's load, not the reading's fault. Pauses sending; no attempt counted.</summary>
    Throttled,

    /// <summary>No answer within <c>Ehr:Timeout</c> (or 408): the next requests are smaller and fewer.</summary>
    TimedOut,

    /// <summary>413, or a 400 whose OperationOutcome says the request is too large: split, the smaller size remembered.</summary>
    TooLarge,

    /// <summary>A 5xx without Retry-After: may follow one reading's content, so a Bundle is bisected to find it.</summary>
    ServerError,

    /// <summary>401 after a token refresh, 403, 404, 405: the gateway's configuration (base URL, scopes) is wrong; delivery pauses.</summary>
    Configuration,
}
