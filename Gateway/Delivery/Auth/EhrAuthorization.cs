namespace Vitals.Gateway.Delivery.Auth;

/// <summary>
/// What to send in the Authorization header of one EHR request: nothing, a bearer token, or why no credential could be
/// had (the token endpoint refused or is down). <see cref="ToString"/> never shows the token.
/// </summary>
public sealed class EhrAuthorization
{
    private EhrAuthorization(string? bearerToken, string? failureReason)
    {
        BearerToken = bearerToken;
        FailureReason = failureReason;
    }

    public static EhrAuthorization None { get; } = new(null, null);

    /// <summary>A credential: never log it.</summary>
    public string? BearerToken { get; }

    /// <summary>Set when there is no credential to send; free of secrets, fit for logs and the outbox.</summary>
    public string? FailureReason { get; }

    public static EhrAuthorization Bearer(string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        return new EhrAuthorization(token, null);
    }

    public static EhrAuthorization Failed(string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new EhrAuthorization(null, reason);
    }

    public override string ToString() =>
        FailureReason is not null ? $"failed: {FailureReason}" : BearerToken is not null ? "Bearer (token set)" : "none";
}
