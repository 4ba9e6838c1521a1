using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Vitals.Gateway.Delivery.Http;

/// <summary>
/// Finds the id a FHIR server gave a created resource: from a Location (or Content-Location) such as
/// <c>https://ehr/fhir/Observation/123/_history/1</c>, or from the <c>id</c> of a returned resource body. Servers such
/// as Oracle Health answer 201 with a Location and an empty body (ehr.md), so the header comes first.
/// </summary>
public static partial class ResourceLocation
{
    public static bool TryGetId(Uri? location, string resourceType, [NotNullWhen(true)] out string? id)
    {
        id = null;
        if (location is null)
            return false;
        var path = location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString;
        var cut = path.IndexOfAny(['?', '#']);
        if (cut >= 0)
            path = path[..cut];
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        // The last "<type>/<id>" pair: a base path may itself contain a segment that looks like a type name.
        for (var i = segments.Length - 2; i >= 0; i--)
        {
            if (segments[i] == resourceType && FhirId().IsMatch(segments[i + 1]))
            {
                id = segments[i + 1];
                return true;
            }
        }
        return false;
    }

    /// <summary>The id of a JSON resource body of the given type; false for an empty, non-JSON or other-typed body.</summary>
    public static bool TryGetIdFromBody(string? body, string resourceType, [NotNullWhen(true)] out string? id)
    {
        id = null;
        if (string.IsNullOrWhiteSpace(body))
            return false;
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("resourceType", out var type) && type.ValueKind == JsonValueKind.String
                && type.GetString() == resourceType
                && root.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String
                && idElement.GetString() is { } value && FhirId().IsMatch(value))
            {
                id = value;
                return true;
            }
        }
        catch (JsonException)
        {
            // A body that is not JSON (an HTML error page from a proxy) simply carries no id.
        }
        return false;
    }

    [GeneratedRegex("^[A-Za-z0-9\\-.]{1,64}$")]
    private static partial Regex FhirId();
}
