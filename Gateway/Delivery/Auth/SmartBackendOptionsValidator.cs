using Microsoft.Extensions.Options;

namespace Vitals.Gateway.Delivery.Auth;

/// <summary>
/// Start-up validation of the SMART settings when <c>Ehr:Auth:Mode</c> is SmartBackendServices: the key file must be
/// there and hold a supported private key, so a typo stops start-up instead of failing every delivery.
/// </summary>
public sealed class SmartBackendOptionsValidator(IOptions<EhrOptions> ehr) : IValidateOptions<SmartBackendOptions>
{
    public ValidateOptionsResult Validate(string? name, SmartBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (ehr.Value.Auth?.Mode != EhrAuthMode.SmartBackendServices)
            return ValidateOptionsResult.Skip;
        var errors = Check(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>The problems with <paramref name="options"/>, each naming its key.</summary>
    public static List<string> Check(SmartBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ClientId))
            errors.Add("Ehr:Auth:ClientId is required when Ehr:Auth:Mode is SmartBackendServices");
        else if (options.ClientId.Any(char.IsControl))
            errors.Add("Ehr:Auth:ClientId must not contain control characters");

        if (!string.IsNullOrEmpty(options.Algorithm) && options.Algorithm is not (SigningKey.RS384 or SigningKey.ES384))
            errors.Add($"Ehr:Auth:Algorithm must be RS384 or ES384 (got '{options.Algorithm}')");
        else if (string.IsNullOrWhiteSpace(options.PrivateKeyPath))
            errors.Add("Ehr:Auth:PrivateKeyPath is required when Ehr:Auth:Mode is SmartBackendServices");
        else if (!File.Exists(options.PrivateKeyPath))
            errors.Add($"Ehr:Auth:PrivateKeyPath: no file '{options.PrivateKeyPath}'");
        else if (!SigningKey.TryLoad(options.PrivateKeyPath, options.Algorithm, options.KeyId, out var key, out var error))
            errors.Add($"Ehr:Auth:PrivateKeyPath: {error}");
        else
            key.Dispose();

        if (!string.IsNullOrEmpty(options.TokenUrl)
            && (!Uri.TryCreate(options.TokenUrl, UriKind.Absolute, out var token) || (token.Scheme != Uri.UriSchemeHttp && token.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"Ehr:Auth:TokenUrl must be an absolute http(s) URL (got '{options.TokenUrl}')");
        }
        if (string.IsNullOrWhiteSpace(options.Scope) || options.Scope.Any(char.IsControl))
            errors.Add("Ehr:Auth:Scope must be a space-separated list of scopes");
        if (options.RefreshBefore < TimeSpan.Zero || options.RefreshBefore > TimeSpan.FromHours(1))
            errors.Add($"Ehr:Auth:RefreshBefore must be between 0 and 1 hour (got {options.RefreshBefore})");
        if (options.KeyId is { } kid && kid.Any(char.IsControl))
            errors.Add("Ehr:Auth:KeyId must not contain control characters");
        return errors;
    }
}
