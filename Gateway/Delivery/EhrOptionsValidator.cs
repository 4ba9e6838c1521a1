using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery.Auth;
using Vitals.Gateway.Delivery.Compatibility;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// Start-up validation of the <c>Ehr</c> section: invalid configuration stops start-up with a message that names the
/// key (README, Configuration).
/// </summary>
public sealed class EhrOptionsValidator : IValidateOptions<EhrOptions>
{
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MaxLinger = TimeSpan.FromSeconds(10);
    private const long MinResponseBytes = 1024;
    private const long MaxResponseBytes = 1024L * 1024 * 1024;

    /// <summary>
    /// Plain http to anything but loopback, unless allowed: bearer tokens and readings would cross the network in clear
    /// text (RFC 9110 4.2.2: the https scheme is what makes an exchange secured by TLS).
    /// </summary>
    public static bool IsInsecure(Uri uri, bool allowInsecureHttp)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return !allowInsecureHttp && uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback;
    }

    public ValidateOptionsResult Validate(string? name, EhrOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();

        if (string.IsNullOrWhiteSpace(options.BaseUrl)
            || !Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var baseUri)
            || (baseUri.Scheme != Uri.UriSchemeHttp && baseUri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"Ehr:BaseUrl must be an absolute http(s) URL of a FHIR R4 base (got '{options.BaseUrl}')");
        }
        else if (baseUri.UserInfo.Length > 0)
        {
            // The base URL is logged; credentials belong in Ehr:Auth where they are kept out of logs.
            errors.Add("Ehr:BaseUrl must not contain credentials (user:password@); use Ehr:Auth");
        }
        else if (baseUri.Query.Length > 0 || baseUri.Fragment.Length > 0)
        {
            errors.Add($"Ehr:BaseUrl must not have a query or fragment (got '{options.BaseUrl}')");
        }
        else if (IsInsecure(baseUri, options.AllowInsecureHttp))
        {
            errors.Add($"Ehr:BaseUrl must be https for a host other than loopback (got '{options.BaseUrl}'); set Ehr:AllowInsecureHttp to true to allow plain http");
        }
        if (options.Auth?.Mode == EhrAuthMode.SmartBackendServices
            && Uri.TryCreate(options.Auth.TokenUrl, UriKind.Absolute, out var tokenUri) && IsInsecure(tokenUri, options.AllowInsecureHttp))
        {
            errors.Add($"Ehr:Auth:TokenUrl must be https for a host other than loopback (got '{options.Auth.TokenUrl}'); set Ehr:AllowInsecureHttp to true to allow plain http");
        }
        if (options.MaxResponseBytes is < MinResponseBytes or > MaxResponseBytes)
            errors.Add($"Ehr:MaxResponseBytes must be between {MinResponseBytes} and {MaxResponseBytes} (got {options.MaxResponseBytes})");

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > MaxTimeout)
            errors.Add($"Ehr:Timeout must be greater than 0 and at most {MaxTimeout} (got {options.Timeout})");
        if (options.MaxConcurrency is < 1 or > 256)
            errors.Add($"Ehr:MaxConcurrency must be between 1 and 256 (got {options.MaxConcurrency})");
        if (options.MaxConnectionsPerServer is < 1 or > 1024)
            errors.Add($"Ehr:MaxConnectionsPerServer must be between 1 and 1024 (got {options.MaxConnectionsPerServer})");

        if (!Enum.IsDefined(options.Profile))
            errors.Add($"Ehr:Profile must be one of {string.Join(", ", EhrProfileConverter.Names)}");
        if (options.Preset is null || (EhrPreset.Find(options.Preset) is null
            && !string.Equals(options.Preset.Trim(), EhrPreset.Auto, StringComparison.OrdinalIgnoreCase)))
            errors.Add($"Ehr:Preset must be auto or one of {string.Join(", ", EhrPreset.All.Select(p => p.Name))} (got '{options.Preset}')");
        ValidateBatch(options.Batch, errors);
        if (options.SinglePost is null)
            errors.Add("Ehr:SinglePost is missing");
        ValidateCompatibility(options.Compatibility, options.Profile, errors);

        if (options.Auth is null)
            errors.Add("Ehr:Auth is missing");
        else
            errors.AddRange(EhrAuthOptionsValidator.Check(options.Auth));

        var retry = options.Retry;
        if (retry is null)
        {
            errors.Add("Ehr:Retry is missing");
        }
        else
        {
            if (retry.BaseDelay <= TimeSpan.Zero)
                errors.Add($"Ehr:Retry:BaseDelay must be greater than 0 (got {retry.BaseDelay})");
            if (retry.MaxDelay < retry.BaseDelay)
                errors.Add($"Ehr:Retry:MaxDelay must be at least Ehr:Retry:BaseDelay (got {retry.MaxDelay} < {retry.BaseDelay})");
            if (!double.IsFinite(retry.Factor) || retry.Factor < 1.0 || retry.Factor > 10.0)
                errors.Add($"Ehr:Retry:Factor must be between 1 and 10 (got {retry.Factor})");
            if (retry.MaxRetryAfter < TimeSpan.Zero)
                errors.Add($"Ehr:Retry:MaxRetryAfter must not be negative (got {retry.MaxRetryAfter})");
            if (retry.MaxAge <= TimeSpan.Zero)
                errors.Add($"Ehr:Retry:MaxAge must be positive (got {retry.MaxAge})");
            if (retry.ProbeInterval <= TimeSpan.Zero || retry.ProbeInterval > TimeSpan.FromHours(1))
                errors.Add($"Ehr:Retry:ProbeInterval must be positive and at most 1 hour (got {retry.ProbeInterval})");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateBatch(EhrBatchOptions? batch, List<string> errors)
    {
        if (batch is null)
        {
            errors.Add("Ehr:Batch is missing");
            return;
        }
        if (batch.MaxSize is < 1 or > 1000)
            errors.Add($"Ehr:Batch:MaxSize must be between 1 and 1000 readings (got {batch.MaxSize})");
        if (batch.MaxEntries is < 0 or > 10000)
            errors.Add($"Ehr:Batch:MaxEntries must be between 0 (no limit) and 10000 entries (got {batch.MaxEntries})");
        if (batch.Linger < TimeSpan.Zero || batch.Linger > MaxLinger)
            errors.Add($"Ehr:Batch:Linger must be between 0 and {MaxLinger} (got {batch.Linger})");
    }

    private static void ValidateCompatibility(EhrCompatibilityOptions? compatibility, EhrProfile profile, List<string> errors)
    {
        if (compatibility is null)
        {
            errors.Add("Ehr:Compatibility is missing");
            return;
        }
        if (compatibility.Performer is { } performer && performer.Length > 0 && !EhrCompatibility.IsPerformerReference(performer.Trim()))
            errors.Add($"Ehr:Compatibility:Performer must be a relative reference such as Practitioner/123 (got '{performer}')");
        foreach (var (loinc, target) in compatibility.CodeMap ?? [])
        {
            if (!EhrCompatibility.IsLoincCode(loinc))
                errors.Add($"Ehr:Compatibility:CodeMap: '{loinc}' is not a LOINC code (like 8310-5)");
            if (!EhrCompatibility.TryParseCoding(target, out _))
                errors.Add($"Ehr:Compatibility:CodeMap:{loinc} must be system|code or system|code|display with an absolute system URI (got '{target}')");
        }
        foreach (var url in compatibility.OmitProfiles ?? [])
        {
            var trimmed = url?.Trim() ?? "";
            if (!string.Equals(trimmed, EhrServerPreset.NoProfiles, StringComparison.OrdinalIgnoreCase) && !Uri.TryCreate(trimmed, UriKind.Absolute, out _))
                errors.Add($"Ehr:Compatibility:OmitProfiles: '{url}' is not a profile's canonical URL (or none)");
        }
        foreach (var name in compatibility.Omit ?? [])
        {
            var known = EhrCompatibility.OmittableElements.FirstOrDefault(e => string.Equals(e, name?.Trim(), StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                errors.Add($"Ehr:Compatibility:Omit: '{name}' is not an element the gateway can leave out; use {string.Join(", ", EhrCompatibility.OmittableElements)}");
            }
            else if (known == EhrCompatibility.OmitIdentifier && profile != EhrProfile.SinglePost)
            {
                // Conditional creates find the first copy by the identifier on the stored resource: without it every
                // resend would file another copy.
                errors.Add($"Ehr:Compatibility:Omit: 'identifier' needs Ehr:Profile single-post ({EhrProfileConverter.ToName(profile)} de-duplicates by the identifier on the resource)");
            }
        }
    }
}
