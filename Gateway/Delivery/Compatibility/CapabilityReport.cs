using System.Text.Json;

namespace Vitals.Gateway.Delivery.Compatibility;

/// <summary>
/// What a server's CapabilityStatement says about an <c>Ehr:Profile</c>: one line per thing the profile needs and the
/// server does not advertise, and the profile that fits what it does advertise (null when even a plain Observation
/// create is missing).
/// </summary>
public sealed record CapabilityReport(IReadOnlyList<string> Missing, EhrProfile? Fits)
{
    /// <summary>Checks a CapabilityStatement (JSON) against <paramref name="profile"/>; null when it is not one.</summary>
    public static CapabilityReport? Evaluate(string json, EhrProfile profile, bool sendsDevice, bool searchBeforeResend)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Text(root, "resourceType") != "CapabilityStatement")
                return null;
            var missing = new List<string>();
            var version = Text(root, "fhirVersion");
            if (version is null || !version.StartsWith("4.0.", StringComparison.Ordinal))
                missing.Add($"FHIR R4 (fhirVersion is {version ?? "missing"}, not 4.0.x)");

            var server = Array(root, "rest").FirstOrDefault(r => Text(r, "mode") == "server");
            var transaction = server.ValueKind == JsonValueKind.Object && Codes(server, "interaction").Contains("transaction");
            var observation = Resource(server, "Observation");
            var device = Resource(server, "Device");
            var create = Codes(observation, "interaction").Contains("create") && (!sendsDevice || Codes(device, "interaction").Contains("create"));
            var conditional = Flag(observation, "conditionalCreate") && (!sendsDevice || Flag(device, "conditionalCreate"));
            var searchByIdentifier = Codes(observation, "interaction").Contains("search-type")
                && Array(observation, "searchParam").Any(p => Text(p, "name") == "identifier");

            if (!Codes(observation, "interaction").Contains("create"))
                missing.Add("create on Observation");
            if (sendsDevice && !Codes(device, "interaction").Contains("create"))
                missing.Add("create on Device (or leave it out: Ehr:Compatibility:Omit device)");
            if (profile == EhrProfile.FhirTransaction && !transaction)
                missing.Add("the transaction interaction");
            if (profile is EhrProfile.FhirTransaction or EhrProfile.FhirConditional)
            {
                if (!Flag(observation, "conditionalCreate"))
                    missing.Add("conditionalCreate on Observation");
                if (sendsDevice && !Flag(device, "conditionalCreate"))
                    missing.Add("conditionalCreate on Device");
            }
            if (profile == EhrProfile.SinglePost && searchBeforeResend && !searchByIdentifier)
                missing.Add("search by identifier on Observation (used by Ehr:SinglePost:SearchBeforeResend after an unknown outcome)");

            EhrProfile? fits = !create ? null
                : transaction && conditional ? EhrProfile.FhirTransaction
                : conditional ? EhrProfile.FhirConditional
                : EhrProfile.SinglePost;
            return new CapabilityReport(missing, fits);
        }
    }

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool Flag(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static IEnumerable<JsonElement> Array(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : [];

    private static HashSet<string> Codes(JsonElement e, string name) =>
        [.. Array(e, name).Select(i => Text(i, "code")).OfType<string>()];

    private static JsonElement Resource(JsonElement server, string type) =>
        Array(server, "resource").FirstOrDefault(r => Text(r, "type") == type);
}
