using System.Globalization;
using System.Text.Json;

namespace Vitals.Gateway.Delivery.Http;

/// <summary>
/// What a 2xx to a transaction Bundle proves, entry by entry. R4 RESTful API 3.1.0.11.2 and 3.1.0.11.4
/// ("Batch/Transaction Response"), and Bundle (bundle.html, Bundle.type and Bundle.entry.response): the answer to a transaction is a Bundle of type <c>transaction-response</c>
/// with one entry per request entry, in the same order, each with <c>response.status</c> (201 created, or 200 when a
/// conditional create matched, 3.1.0.8.1) and <c>response.location</c>. Anything else proves nothing: an HTML page,
/// an OperationOutcome, a <c>batch-response</c> (the server ran the entries one by one, 3.1.0.11.1, so some may
/// have failed while others were filed), or a Bundle with entries missing.
/// </summary>
public sealed class TransactionAnswer
{
    private TransactionAnswer(string? problem, bool isTransactionResponse, IReadOnlyList<Entry> entries)
    {
        Problem = problem;
        IsTransactionResponse = isTransactionResponse;
        Entries = entries;
    }

    /// <summary>Why the answer as a whole proves nothing per entry (not JSON, not a Bundle, wrong count); null when the entries can be read.</summary>
    public string? Problem { get; }

    /// <summary>A <c>transaction-response</c> (not a batch-response): only then do its 2xx entries prove delivery.</summary>
    public bool IsTransactionResponse { get; }

    /// <summary>One per request entry when <see cref="Problem"/> is null, else empty.</summary>
    public IReadOnlyList<Entry> Entries { get; }

    /// <summary>One entry's answer: its status (0 when missing or unreadable), the "Type/id" it names, and its OperationOutcome (raw JSON) if any.</summary>
    public sealed record Entry(int Status, string? ServerId, string? Outcome)
    {
        public bool Succeeded => Status is >= 200 and <= 299;

        /// <summary>A definite refusal of this entry (4xx): the resource will not be accepted as it is.</summary>
        public bool Refused => Status is >= 400 and <= 499;
    }

    /// <summary>Reads <paramref name="body"/>, the answer to a Bundle of <paramref name="requestEntries"/> entries.</summary>
    public static TransactionAnswer Read(string body, int requestEntries)
    {
        if (string.IsNullOrWhiteSpace(body))
            return Fail("no body (a transaction-response Bundle was expected)");
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("resourceType", out var type) || type.ValueKind != JsonValueKind.String)
                return Fail("not a FHIR resource");
            if (type.GetString() != "Bundle")
                return Fail($"a {Clean(type.GetString())}, not a transaction-response Bundle");
            var bundleType = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (bundleType is not ("transaction-response" or "batch-response"))
                return Fail($"a Bundle of type {Clean(bundleType ?? "(none)")}, not transaction-response");
            var entries = new List<Entry>(requestEntries);
            if (root.TryGetProperty("entry", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var entry in list.EnumerateArray())
                    entries.Add(ReadEntry(entry));
            }
            if (entries.Count != requestEntries)
                return Fail($"{entries.Count} entries for {requestEntries} requested");
            return new TransactionAnswer(null, bundleType == "transaction-response", entries);
        }
        catch (JsonException)
        {
            return Fail("not JSON");
        }
    }

    private static TransactionAnswer Fail(string problem) => new(problem, false, []);

    private static Entry ReadEntry(JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("response", out var response) || response.ValueKind != JsonValueKind.Object)
            return new Entry(0, null, null);
        var status = response.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? ParseStatus(s.GetString()) : 0;
        var outcome = response.TryGetProperty("outcome", out var o) && o.ValueKind == JsonValueKind.Object ? o.GetRawText() : null;
        return new Entry(status, Locate(entry, response), outcome);
    }

    /// <summary>Bundle.entry.response.status is a string starting with the 3-digit HTTP code ("201 Created").</summary>
    private static int ParseStatus(string? text) =>
        text is { Length: >= 3 } && int.TryParse(text.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code)
        && (text.Length == 3 || text[3] == ' ') ? code : 0;

    /// <summary>"Type/id" from response.location first, else the returned resource's id. Null where the answer names none.</summary>
    private static string? Locate(JsonElement entry, JsonElement response)
    {
        foreach (var type in (ReadOnlySpan<string>)["Observation", "Device"])
        {
            if (response.TryGetProperty("location", out var location) && location.ValueKind == JsonValueKind.String
                && Uri.TryCreate(location.GetString(), UriKind.RelativeOrAbsolute, out var uri)
                && ResourceLocation.TryGetId(uri, type, out var id))
                return type + "/" + id;
            if (entry.TryGetProperty("resource", out var resource)
                && ResourceLocation.TryGetIdFromBody(resource.GetRawText(), type, out var fromBody))
                return type + "/" + fromBody;
        }
        return null;
    }

    // A type name from the server goes into reasons that are logged: one short line.
    private static string Clean(string? text) =>
        text is null ? "(none)" : new string([.. text.Take(40).Select(c => char.IsControl(c) ? ' ' : c)]);
}
