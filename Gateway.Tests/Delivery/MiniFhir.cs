using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vitals.Gateway.Tests.Delivery;

/// <summary>
/// A tiny in-memory FHIR server behind <see cref="ScriptedFhirServer"/>: plain creates (201 with only a Location, as
/// Oracle Health answers), conditional creates (If-None-Exist), atomic transaction Bundles with per-entry ifNoneExist
/// and urn:uuid references, and search by identifier. Faults are queued in front of it; <see cref="Poison"/> marks
/// resources it refuses with 422 and an OperationOutcome (the whole transaction then fails, nothing is kept).
/// </summary>
internal sealed class MiniFhir
{
    private readonly Lock _gate = new();
    private readonly List<Stored> _stored = [];
    private readonly Queue<Func<RecordedRequest, ScriptedResponse?>> _faults = new();
    private int _next;

    public sealed record Stored(string Type, string Id, string? IdentifierKey, JsonObject Resource);

    /// <summary>A resource this returns true for is refused (422).</summary>
    public Func<JsonObject, bool> Poison { get; set; } = _ => false;

    public bool SupportsSearch { get; set; } = true;

    public IReadOnlyList<Stored> All
    {
        get { lock (_gate) return [.. _stored]; }
    }

    public IReadOnlyList<Stored> OfType(string type) => All.Where(s => s.Type == type).ToList();

    /// <summary>Deletes every Device (an EHR administrator cleaning up): references to them are then refused.</summary>
    public void ForgetDevices()
    {
        lock (_gate)
            _stored.RemoveAll(s => s.Type == "Device");
    }

    /// <summary>The next request gets <paramref name="response"/> (before the server looks at it).</summary>
    public void Fault(ScriptedResponse response) => Fault(_ => response);

    /// <summary>The next request is handled normally and committed, but its answer never arrives (a lost response).</summary>
    public void CommitThenHang() => Fault(r =>
    {
        Handle(r);
        return ScriptedResponse.Hang();
    });

    public void Fault(Func<RecordedRequest, ScriptedResponse?> fault)
    {
        lock (_gate) _faults.Enqueue(fault);
    }

    public ScriptedResponse Respond(RecordedRequest request)
    {
        Func<RecordedRequest, ScriptedResponse?>? fault = null;
        lock (_gate)
        {
            if (_faults.Count > 0)
                fault = _faults.Dequeue();
        }
        return fault?.Invoke(request) ?? Handle(request);
    }

    /// <summary>Handles <paramref name="request"/> as the server would, for a fault that commits and then answers otherwise.</summary>
    public ScriptedResponse Commit(RecordedRequest request) => Handle(request);

    private ScriptedResponse Handle(RecordedRequest request)
    {
        var segments = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var type = segments.Length > 2 ? segments[2] : "";
        lock (_gate)
        {
            if (request.Method == "GET" && type.Length > 0)
                return Search(type, request.Query);
            if (request.Method != "POST")
                return ScriptedResponse.Json(405, Outcome("not-supported"));
            var body = JsonNode.Parse(request.Body)!.AsObject();
            if (type.Length == 0)
                return Transaction(body);
            if (Poison(body))
                return ScriptedResponse.Json(422, Outcome("invalid"));
            if (request.IfNoneExist is { } query && Find(type, query) is { } existing)
                return ScriptedResponse.Json(200, existing.Resource.ToJsonString());
            var created = Create(type, body);
            return ScriptedResponse.Created($"/fhir/R4/{type}/{created.Id}/_history/1");
        }
    }

    private ScriptedResponse Transaction(JsonObject bundle)
    {
        if ((string?)bundle["type"] != "transaction")
            return ScriptedResponse.Json(400, Outcome("invalid"));
        var entries = bundle["entry"]!.AsArray();
        if (entries.Any(e => Poison(e!["resource"]!.AsObject())))
            return ScriptedResponse.Json(422, Outcome("invalid"));
        // Referential integrity as HAPI checks it (HAPI-1094): a reference to a Device the server does not hold.
        foreach (var entry in entries)
        {
            if ((string?)entry!["resource"]?["device"]?["reference"] is { } reference && reference.StartsWith("Device/", StringComparison.Ordinal)
                && !_stored.Any(s => s.Type == "Device" && "Device/" + s.Id == reference))
            {
                return ScriptedResponse.Json(400, $$"""{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"processing","diagnostics":"Resource {{reference}} not found, specified in path: Observation.device"}]}""");
            }
        }
        var answers = new JsonArray();
        var resolved = new Dictionary<string, string>();
        var created = new List<Stored>();
        foreach (var entry in entries)
        {
            var resource = entry!["resource"]!.AsObject().DeepClone().AsObject();
            var type = (string)resource["resourceType"]!;
            var ifNoneExist = (string?)entry["request"]?["ifNoneExist"];
            var json = resource.ToJsonString();
            foreach (var (from, to) in resolved)
                json = json.Replace(from, to, StringComparison.Ordinal);
            resource = JsonNode.Parse(json)!.AsObject();
            var existing = ifNoneExist is null ? null : Find(type, ifNoneExist) ?? created.FirstOrDefault(c => c.Type == type && c.IdentifierKey == KeyFromQuery(ifNoneExist));
            var stored = existing ?? Create(type, resource, keep: false);
            if (existing is null)
                created.Add(stored);
            resolved[(string)entry["fullUrl"]!] = $"{type}/{stored.Id}";
            answers.Add(new JsonObject
            {
                ["response"] = new JsonObject
                {
                    ["status"] = existing is null ? "201 Created" : "200 OK",
                    ["location"] = $"{type}/{stored.Id}/_history/1",
                },
            });
        }
        _stored.AddRange(created);
        return ScriptedResponse.Json(200, new JsonObject { ["resourceType"] = "Bundle", ["type"] = "transaction-response", ["entry"] = answers }.ToJsonString());
    }

    private ScriptedResponse Search(string type, string query)
    {
        if (!SupportsSearch)
            return ScriptedResponse.Json(400, Outcome("not-supported"));
        var q = query.TrimStart('?');
        var matches = _stored.Where(s => s.Type == type && s.IdentifierKey == KeyFromQuery(q)).ToList();
        var entries = new JsonArray([.. matches.Select(m => (JsonNode)new JsonObject { ["resource"] = m.Resource.DeepClone() })]);
        return ScriptedResponse.Json(200, new JsonObject { ["resourceType"] = "Bundle", ["type"] = "searchset", ["total"] = matches.Count, ["entry"] = entries }.ToJsonString());
    }

    private Stored? Find(string type, string ifNoneExist)
    {
        var key = KeyFromQuery(ifNoneExist);
        return _stored.FirstOrDefault(s => s.Type == type && s.IdentifierKey == key);
    }

    private Stored Create(string type, JsonObject resource, bool keep = true)
    {
        var id = $"{type.ToLowerInvariant()}-{++_next}";
        resource["id"] = id;
        var identifier = resource["identifier"]?.AsArray().FirstOrDefault();
        var key = identifier is null ? null : (string?)identifier["system"] + "\u0001" + (string?)identifier["value"];
        var stored = new Stored(type, id, key, resource);
        if (keep)
            _stored.Add(stored);
        return stored;
    }

    /// <summary>"identifier=system|value" (percent-encoded, FHIR backslash escapes) as system + U+0001 + value.</summary>
    private static string? KeyFromQuery(string query)
    {
        const string prefix = "identifier=";
        if (!query.StartsWith(prefix, StringComparison.Ordinal))
            return null;
        var text = Uri.UnescapeDataString(query[prefix.Length..]);
        var sb = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
                sb.Append(text[++i]);
            else if (text[i] == '|')
                sb.Append('\u0001');
            else
                sb.Append(text[i]);
        }
        return sb.ToString();
    }

    private static string Outcome(string code) =>
        $$"""{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"{{code}}","expression":["Observation.value"]}]}""";
}
