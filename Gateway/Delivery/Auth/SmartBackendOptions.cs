namespace Vitals.Gateway.Delivery.Auth;

/// <summary>
/// SMART Backend Services settings, read from the same <c>Ehr:Auth</c> section as <see cref="EhrAuthOptions.Mode"/>
/// (so an operator writes <c>Ehr:Auth:ClientId</c>, not a nested section). Used when the mode is
/// <see cref="EhrAuthMode.SmartBackendServices"/>.
/// </summary>
public sealed class SmartBackendOptions
{
    public const string SectionName = "Ehr:Auth";

    /// <summary>
    /// SMART v1 scopes for what the sender does: conditional create is a create plus a search on the identifier, so
    /// both resource types need read and write. A SMART v2 server may want <c>system/Observation.crs</c> instead.
    /// </summary>
    public const string DefaultScope = "system/Observation.read system/Observation.write system/Device.read system/Device.write";

    /// <summary>The client id the EHR assigned at registration; <c>iss</c> and <c>sub</c> of the assertion.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>PEM (PKCS#8, PKCS#1 RSA or SEC 1 EC) or JWK file with the private key. Keep it mode 600.</summary>
    public string PrivateKeyPath { get; set; } = "";

    /// <summary>The <c>kid</c> registered with the EHR; empty: the RFC 7638 thumbprint (what <c>keys jwks</c> prints).</summary>
    public string? KeyId { get; set; }

    /// <summary><c>RS384</c> or <c>ES384</c>; empty: inferred from the key.</summary>
    public string? Algorithm { get; set; }

    /// <summary>The token endpoint; empty: <c>token_endpoint</c> of <c>{Ehr:BaseUrl}/.well-known/smart-configuration</c>.</summary>
    public string? TokenUrl { get; set; }

    public string Scope { get; set; } = DefaultScope;

    /// <summary>A cached token is replaced this long before it expires, so no request leaves with a dying token.</summary>
    public TimeSpan RefreshBefore { get; set; } = TimeSpan.FromSeconds(60);

    // No key material here, only where it lives: this object may end up in logs.
    public override string ToString() =>
        $"ClientId={ClientId}, PrivateKeyPath={PrivateKeyPath}, KeyId={KeyId}, Algorithm={Algorithm}, TokenUrl={TokenUrl}, " +
        $"Scope={Scope}, RefreshBefore={RefreshBefore}";
}
