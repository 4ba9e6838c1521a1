namespace Vitals.Gateway.Delivery;

/// <summary>How the EHR answered lately.</summary>
public enum EhrAvailability
{
    /// <summary>No request has been answered (or failed) since the gateway started.</summary>
    Unknown,

    /// <summary>The last request was answered: the EHR is reachable and accepts the credentials.</summary>
    Available,

    /// <summary>The last request failed in a way that is retried (network, timeout, 408, 429, 5xx).</summary>
    Unreachable,

    /// <summary>The EHR refused the credentials (401) or the gateway's rights (403): a person must act.</summary>
    Unauthorised,
}

/// <summary>
/// One snapshot of <see cref="IEhrReadiness"/>. <see cref="Since"/> is when the EHR entered this state (the first
/// failure of an outage, the first success after it); <see cref="Reason"/> is the delivery side's reason for a
/// failure (HTTP status and what it means; never a patient identifier or a measured value).
/// </summary>
public sealed record EhrReadinessState(EhrAvailability Availability, string? Reason, DateTimeOffset? Since, DateTimeOffset? LastAnswerAt)
{
    public static EhrReadinessState NotYetKnown { get; } = new(EhrAvailability.Unknown, null, null, null);
}
