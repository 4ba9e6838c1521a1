using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Vitals.Gateway.Fhir;

/// <summary>How readings are written as FHIR resources. Configuration section <c>Fhir</c>.</summary>
public sealed partial class FhirOptions : IValidatableObject
{
    public const string SectionName = "Fhir";

    /// <summary>Identifier system of the de-duplication identifier every Observation carries.</summary>
    [Required]
    public string IdentifierSystem { get; set; } = "urn:vitals-gateway:measurement";

    /// <summary>Identifier system for device ids that are not Bluetooth addresses, and for the gateway itself.</summary>
    [Required]
    public string DeviceIdentifierSystem { get; set; } = "urn:vitals-gateway:device";

    /// <summary>This gateway's identifier value (under <see cref="DeviceIdentifierSystem"/>), referenced from every Observation.</summary>
    [Required]
    public string GatewayId { get; set; } = "vitals-gateway";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Identifier systems end up in search queries and in every stored Observation: a relative or malformed
        // system would make conditional creates match nothing (duplicates) and cannot be fixed afterwards.
        foreach (var (name, value) in new[] { (nameof(IdentifierSystem), IdentifierSystem), (nameof(DeviceIdentifierSystem), DeviceIdentifierSystem) })
        {
            if (!string.IsNullOrEmpty(value) && !IsAbsoluteUri(value))
            {
                yield return new ValidationResult(
                    $"{SectionName}:{name} must be an absolute URI (for example urn:vitals-gateway:device), got '{value}'.", [name]);
            }
        }
        if (!string.IsNullOrEmpty(GatewayId) && (GatewayId.Trim() != GatewayId || GatewayId.Contains('|')))
        {
            yield return new ValidationResult(
                $"{SectionName}:{nameof(GatewayId)} must not have surrounding white space or contain '|', got '{GatewayId}'.", [nameof(GatewayId)]);
        }
    }

    // On Unix Uri.TryCreate accepts "/path" as an absolute file URI, so the scheme is required explicitly.
    private static bool IsAbsoluteUri(string value) =>
        value.Trim() == value && !value.Contains('|') && UriScheme().IsMatch(value) && Uri.TryCreate(value, UriKind.Absolute, out _);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*:[^/]|^[A-Za-z][A-Za-z0-9+.-]*://.")]
    private static partial Regex UriScheme();
}
