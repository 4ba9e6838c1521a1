namespace Vitals.Gateway.Delivery.Auth;

/// <summary>How the gateway authenticates to the EHR (<c>Ehr:Auth:Mode</c>).</summary>
public enum EhrAuthMode
{
    /// <summary>No Authorization header (sandbox EHRs, or a server behind an authenticating proxy).</summary>
    None,

    /// <summary>A static bearer token from <c>Ehr:Auth:BearerToken</c>.</summary>
    Bearer,

    /// <summary>
    /// SMART Backend Services: an access token from the EHR's token endpoint for a signed client assertion
    /// (<c>Ehr:Auth:ClientId</c>, <c>PrivateKeyPath</c>, ...; see <see cref="EhrAuthOptions"/>).
    /// </summary>
    SmartBackendServices,
}
