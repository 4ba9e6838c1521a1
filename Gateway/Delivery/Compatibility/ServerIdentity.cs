using System.Text.Json;

namespace Vitals.Gateway.Delivery.Compatibility;

/// <summary>
/// Who a FHIR server says it is in its CapabilityStatement (R4 CapabilityStatement.software, .implementation,
/// .publisher), for <see cref="EhrPreset.Identify"/>. Any part may be missing: Oracle Health's statement has no
/// <c>software</c>, only an implementation description and a publisher.
/// </summary>
public sealed record ServerIdentity(string? SoftwareName, string? SoftwareVersion, string? ImplementationDescription, string? Publisher)
{
    /// <summary>Reads the identity from a CapabilityStatement (JSON); null when the text is not one.</summary>
    public static ServerIdentity? TryRead(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Text(root, "resourceType") != "CapabilityStatement")
                return null;
            var software = root.TryGetProperty("software", out var s) ? s : default;
            var implementation = root.TryGetProperty("implementation", out var i) ? i : default;
            return new ServerIdentity(Text(software, "name"), Text(software, "version"), Text(implementation, "description"), Text(root, "publisher"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>For the log: "medplum 5.0.13" or the description or publisher when there is no software name.</summary>
    public override string ToString() =>
        SoftwareName is { } name ? (SoftwareVersion is { } v ? $"{name} {v}" : name)
        : ImplementationDescription ?? Publisher ?? "(unnamed)";

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
