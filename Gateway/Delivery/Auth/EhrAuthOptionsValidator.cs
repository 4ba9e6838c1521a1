namespace Vitals.Gateway.Delivery.Auth;

/// <summary>
/// The <c>Ehr:Auth</c> part of <see cref="EhrOptionsValidator"/>: each problem in one line naming its key. With SMART,
/// the key file must be there and hold a supported private key, so a typo stops start-up instead of failing every
/// delivery. Never quotes a token or key material.
/// </summary>
public static class EhrAuthOptionsValidator
{
    /// <summary>The problems with <paramref name="auth"/>, each naming its key; empty when there are none.</summary>
    public static List<string> Check(EhrAuthOptions auth)
    {
        ArgumentNullException.ThrowIfNull(auth);
        var errors = new List<string>();
        if (!Enum.IsDefined(auth.Mode))
            errors.Add($"Ehr:Auth:Mode must be None, Bearer or SmartBackendServices (got {(int)auth.Mode})");
        if (auth.Mode == EhrAuthMode.Bearer && string.IsNullOrWhiteSpace(auth.BearerToken))
            errors.Add("Ehr:Auth:BearerToken is required when Ehr:Auth:Mode is Bearer");
        // A CR/LF would split the Authorization header; the message must not quote the token.
        if (auth.BearerToken is { } token && token.Any(c => char.IsControl(c) || c == ' '))
            errors.Add("Ehr:Auth:BearerToken must not contain spaces or control characters");
        if (auth.Mode == EhrAuthMode.SmartBackendServices)
            CheckSmart(auth, errors);
        return errors;
    }

    private static void CheckSmart(EhrAuthOptions auth, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(auth.ClientId))
            errors.Add("Ehr:Auth:ClientId is required when Ehr:Auth:Mode is SmartBackendServices");
        else if (auth.ClientId.Any(char.IsControl))
            errors.Add("Ehr:Auth:ClientId must not contain control characters");

        if (!string.IsNullOrEmpty(auth.Algorithm) && auth.Algorithm is not (SigningKey.RS384 or SigningKey.ES384))
            errors.Add($"Ehr:Auth:Algorithm must be RS384 or ES384 (got '{auth.Algorithm}')");
        else if (string.IsNullOrWhiteSpace(auth.PrivateKeyPath))
            errors.Add("Ehr:Auth:PrivateKeyPath is required when Ehr:Auth:Mode is SmartBackendServices");
        else if (!File.Exists(auth.PrivateKeyPath))
            errors.Add($"Ehr:Auth:PrivateKeyPath: no file '{auth.PrivateKeyPath}'");
        else if (!SigningKey.TryLoad(auth.PrivateKeyPath, auth.Algorithm, auth.KeyId, out var key, out var error))
            errors.Add($"Ehr:Auth:PrivateKeyPath: {error}");
        else
            key.Dispose();

        if (!string.IsNullOrEmpty(auth.TokenUrl)
            && (!Uri.TryCreate(auth.TokenUrl, UriKind.Absolute, out var tokenUrl) || (tokenUrl.Scheme != Uri.UriSchemeHttp && tokenUrl.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"Ehr:Auth:TokenUrl must be an absolute http(s) URL (got '{auth.TokenUrl}')");
        }
        if (string.IsNullOrWhiteSpace(auth.Scope) || auth.Scope.Any(char.IsControl))
            errors.Add("Ehr:Auth:Scope must be a space-separated list of scopes");
        if (auth.RefreshBefore < TimeSpan.Zero || auth.RefreshBefore > TimeSpan.FromHours(1))
            errors.Add($"Ehr:Auth:RefreshBefore must be between 0 and 1 hour (got {auth.RefreshBefore})");
        if (auth.KeyId is { } kid && kid.Any(char.IsControl))
            errors.Add("Ehr:Auth:KeyId must not contain control characters");
    }
}
