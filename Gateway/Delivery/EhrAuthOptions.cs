namespace Vitals.Gateway.Delivery;

/// <summary>The <c>Ehr:Auth</c> section.</summary>
public sealed class EhrAuthOptions
{
    public EhrAuthMode Mode { get; set; } = EhrAuthMode.None;

    /// <summary>
    /// The token sent as <c>Authorization: Bearer ...</c> when <see cref="Mode"/> is Bearer. A credential: it is never
    /// logged, and <see cref="ToString"/> only says whether it is set.
    /// </summary>
    public string? BearerToken { get; set; }

    // Options objects end up in logs and debugger views; the token must not travel with them.
    public override string ToString() =>
        $"Mode={Mode}, BearerToken={(string.IsNullOrEmpty(BearerToken) ? "(not set)" : "(set)")}";
}
