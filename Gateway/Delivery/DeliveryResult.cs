namespace Vitals.Gateway.Delivery;

/// <summary>The expected outcomes of sending a reading to the EHR (bugs are exceptions, not results).</summary>
public abstract record DeliveryResult
{
    /// <summary>Every resource was accepted (2xx). ServerIds are the ids the server gave, e.g. "Observation/12".</summary>
    public sealed record Delivered(IReadOnlyList<string> ServerIds) : DeliveryResult;

    /// <summary>A transient failure (network, timeout, 408, 429, 5xx); try again, not before RetryAfter when given.</summary>
    public sealed record RetryLater(string Reason, TimeSpan? RetryAfter) : DeliveryResult;

    /// <summary>A permanent refusal (other 4xx): the reading becomes a dead letter with the server's answer.</summary>
    public sealed record Rejected(string Reason, int HttpStatus, string Request, string? Response) : DeliveryResult;
}
