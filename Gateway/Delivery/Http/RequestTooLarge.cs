using System.Text.Json;
using System.Text.RegularExpressions;

namespace Vitals.Gateway.Delivery.Http;

/// <summary>
/// Whether a 400's OperationOutcome refuses the request for its size rather than its content: an issue coded
/// <c>too-costly</c> (FHIR R4 IssueType, "the operation was stopped to protect server resources") or whose text says
/// it is too large or has too many entries (Medplum: "Transaction requires strict isolation but has too many
/// entries"). Such a Bundle is split, never dead-lettered.
/// </summary>
public static partial class RequestTooLarge
{
    [GeneratedRegex(@"too (large|big|long|many)|exceeds? .{0,40}(size|limit|maximum)|maximum (size|number of entries)|payload too large",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex SizeWords();

    public static bool SaysSo(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
            return false;
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("resourceType", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "OperationOutcome"
                || !root.TryGetProperty("issue", out var issues) || issues.ValueKind != JsonValueKind.Array)
                return false;
            foreach (var issue in issues.EnumerateArray())
            {
                if (issue.ValueKind != JsonValueKind.Object)
                    continue;
                if (issue.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String && code.GetString() == "too-costly")
                    return true;
                if (Says(issue, "diagnostics")
                    || (issue.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Object && Says(details, "text")))
                    return true;
            }
            return false;
        }
        catch (Exception ex) when (ex is JsonException or RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static bool Says(JsonElement element, string property) =>
        element.TryGetProperty(property, out var text) && text.ValueKind == JsonValueKind.String && SizeWords().IsMatch(text.GetString()!);
}
