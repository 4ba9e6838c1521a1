namespace Vitals.Gateway.Delivery.Auth;

/// <summary>
/// The <c>Ehr:Auth</c> section: how the gateway authenticates to the EHR. One flat section for every
/// <see cref="Mode"/>: an operator writes <c>Ehr:Auth:BearerToken</c> or <c>Ehr:Auth:ClientId</c>, not a nested
/// section per mode. Validated at start-up with the rest of <c>Ehr</c> (<see cref="EhrOptionsValidator"/>); the
/// SMART settings only when <see cref="Mode"/> is <see cref="EhrAuthMode.SmartBackendServices"/>.
/// </summary>
public sealed class EhrAuthOptions
{
    /// <summary>
    /// SMART v1 scopes for what the senders do: conditional create is a create plus a search on the identifier, so
    /// both resource types need read and write. A SMART v2 server may want <c>system/Observation.crs</c> instead.
    /// </summary>
    public const string DefaultScope = "system/Observation.read system/Observation.write system/Device.read system/Device.write";

    public EhrAuthMode Mode { get; set; } = EhrAuthMode.None;

    /// <summary>
    /// The token sent as <c>Authorization: Bearer ...</c> when <see cref="Mode"/> is Bearer. A credential: it is never
    /// logged, and <see cref="ToString"/> only says whether it is set.
    /// </summary>
    public string? BearerToken { get; set; }

    /// <summary>SMART: the client id the EHR assigned at registration; <c>iss</c> and <c>sub</c> of the assertion.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>SMART: PEM (PKCS#8, PKCS#1 RSA or SEC 1 EC) or JWK file with the private key. Keep it mode 600.</summary>
    public string PrivateKeyPath { get; set; } = "";

    /// <summary>SMART: the <c>kid</c> registered with the EHR; empty: the RFC 7638 thumbprint (what <c>keys jwks</c> prints).</summary>
    public string? KeyId { get; set; }

    /// <summary>SMART: <c>RS384</c> or <c>ES384</c>; empty: inferred from the key.</summary>
    public string? Algorithm { get; set; }

    /// <summary>SMART: the token endpoint; empty: <c>token_endpoint</c> of <c>{Ehr:BaseUrl}/.well-known/smart-configuration</c>.</summary>
    public string? TokenUrl { get; set; }

    /// <summary>SMART: the scopes asked for.</summary>
    public string Scope { get; set; } = DefaultScope;

    /// <summary>SMART: a cached token is replaced this long before it expires, so no request leaves with a dying token.</summary>
    public TimeSpan RefreshBefore { get; set; } = TimeSpan.FromSeconds(60);

    // Options objects end up in logs and debugger views: the token must not travel with them, and of the key only
    // where it lives.
    public override string ToString() =>
        $"Mode={Mode}, BearerToken={(string.IsNullOrEmpty(BearerToken) ? "(not set)" : "(set)")}, ClientId={ClientId}, " +
        $"PrivateKeyPath={PrivateKeyPath}, KeyId={KeyId}, Algorithm={Algorithm}, TokenUrl={TokenUrl}, Scope={Scope}, RefreshBefore={RefreshBefore}";
}
