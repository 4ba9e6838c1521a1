using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Vitals.Gateway.Fhir;

/// <summary>Start-up checks for <see cref="FhirOptions"/>; every message names its configuration key.</summary>
public sealed partial class FhirOptionsValidator : IValidateOptions<FhirOptions>
{
    public ValidateOptionsResult Validate(string? name, FhirOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        // Identifier systems end up in search queries and in every stored Observation: a relative or malformed
        // system would make conditional creates match nothing (duplicates) and cannot be fixed afterwards.
        foreach (var (key, value) in new[] { (nameof(FhirOptions.IdentifierSystem), options.IdentifierSystem), (nameof(FhirOptions.DeviceIdentifierSystem), options.DeviceIdentifierSystem) })
        {
            if (string.IsNullOrEmpty(value))
            {
                failures.Add($"{FhirOptions.SectionName}:{key} is empty; it must be an absolute URI (for example urn:vitals-gateway:device).");
            }
            else if (!IsAbsoluteUri(value))
            {
                failures.Add($"{FhirOptions.SectionName}:{key} must be an absolute URI (for example urn:vitals-gateway:device), got '{value}'.");
            }
        }
        // The gateway id is the value half of a token search (system|value, FHIR R4 Search, "token" parameters).
        // Empty: the generated id (GatewayDevice).
        if (!string.IsNullOrEmpty(options.GatewayId) && options.GatewayId.Trim() != options.GatewayId || options.GatewayId.Contains('|', StringComparison.Ordinal))
        {
            failures.Add($"{FhirOptions.SectionName}:{nameof(FhirOptions.GatewayId)} must not have surrounding white space or contain '|', got '{options.GatewayId}'.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // On Unix Uri.TryCreate accepts "/path" as an absolute file URI, so the scheme is required explicitly.
    private static bool IsAbsoluteUri(string value) =>
        value.Trim() == value && !value.Contains('|', StringComparison.Ordinal) && UriScheme().IsMatch(value) && Uri.TryCreate(value, UriKind.Absolute, out _);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*:[^/]|^[A-Za-z][A-Za-z0-9+.-]*://.")]
    private static partial Regex UriScheme();
}
