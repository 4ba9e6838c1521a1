using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Delivery.Senders;

/// <summary>
/// The <c>single-post</c> profile, for EHRs that document neither transactions nor conditional create (ehr.md: Epic,
/// Oracle Health): one plain POST per resource, and the gateway's own de-duplication ledger (<see cref="IDeliveryLedger"/>)
/// of which identifier the EHR acknowledged with which server id.
/// <para>
/// Per resource (the reading's Device unless it is left out, then each Observation in order): an identifier the
/// ledger has acknowledged is not sent again; otherwise the ledger notes "sending" (durably), the POST goes out, and a
/// 2xx is recorded as acknowledged (durably) before the next resource, and before the reading leaves the outbox. So a
/// crash between a blood pressure's two Observations resends only the second. A 201 with an empty body is fine: the
/// id comes from Location (Oracle Health). A 2xx naming no id at all (no Location, no resource of the type in the
/// body: a proxy's HTML page, an OperationOutcome) is not an acknowledgement: nothing is recorded without a server id,
/// the reading is retried, and its identifier, still "sending", is looked up before it is posted again.
/// </para>
/// <para>
/// The window that remains is between the POST and the ledger write: the EHR may have filed the resource while the
/// gateway crashed, timed out or lost the connection before recording the 2xx. Such an identifier stays "sending", and
/// before posting it again the sender searches <c>{type}?identifier=system|value</c> (<c>Ehr:SinglePost:SearchBeforeResend</c>,
/// on by default): a match is recorded as acknowledged and not posted. This needs an EHR that supports search by
/// identifier and keeps the identifier (not with <c>Ehr:Compatibility:Omit</c> identifier); where it cannot search
/// (a 4xx to the search) the resend is posted and may file a second copy: the gateway warns once. A definite refusal
/// (4xx to the POST) removes the "sending" note: nothing was created.
/// </para>
/// </summary>
public sealed class SinglePostSender : OneReadingPerRequestSender
{
    private readonly EhrHttpClient _http;
    private readonly IDeliveryLedger _ledger;
    private readonly TimeProvider _time;
    private readonly ILogger<SinglePostSender> _logger;
    private readonly bool _search;
    private readonly JsonSerializerOptions _json = new JsonSerializerOptions().ForFhir();
    private int _searchUnsupportedLogged;
    private readonly DeliveryProvenance? _provenance;
    private readonly DeviceUpdates _updates;

    /// <param name="provenance"><c>Fhir:Provenance</c>: when enabled, the Provenance of each delivered reading, at most once (the ledger).</param>
    public SinglePostSender(
        EhrHttpClient http, IDeliveryLedger ledger, IOptions<EhrOptions> options, TimeProvider time, ILogger<SinglePostSender> logger,
        DeliveryProvenance? provenance = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _http = http;
        _ledger = ledger;
        _time = time;
        _logger = logger;
        _provenance = provenance is { Enabled: true } ? provenance : null;
        _updates = new DeviceUpdates(http, logger);
        var o = options.Value;
        _search = o.SinglePost.SearchBeforeResend
            && !o.Compatibility.Omit.Any(e => string.Equals(e.Trim(), EhrCompatibility.OmitIdentifier, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The ledger key of a resource: type and identifier (system|value).</summary>
    public static string LedgerKey(string resourceType, Identifier identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return resourceType + "|" + identifier.System + "|" + identifier.Value;
    }

    protected override async Task<DeliveryResult> SendOneAsync(OutgoingReading reading, CancellationToken ct)
    {
        var keys = new List<string>(reading.ObservationKeys.Count + 1);
        if (reading.DeviceKey is not null)
            keys.Add(LedgerKey("Device", reading.DeviceKey));
        if (reading.CoincidentKey is not null)
            keys.Add(LedgerKey("Observation", reading.CoincidentKey));
        keys.AddRange(reading.ObservationKeys.Select(k => LedgerKey("Observation", k)));
        var known = await _ledger.GetLedgerAsync(keys, ct).ConfigureAwait(false);

        string? deviceReference = null;
        if (reading.DeviceKey is { } deviceKey)
        {
            var device = await EnsureAsync("Device", reading.Resources.Device, deviceKey, known, ct).ConfigureAwait(false);
            if (device.Failure is not null)
                return device.Failure;
            deviceReference = device.ServerId ?? throw new InvalidOperationException("a Device resolved without a server id (sender bug)");
            // One the ledger or a search knew may be as the device described itself before a firmware update.
            var deviceId = deviceReference["Device/".Length..];
            if (device.Status == 201)
                _updates.Created(deviceId, reading.Resources.Device);
            else
                await _updates.EnsureCurrentAsync(deviceId, reading.Resources.Device, ct).ConfigureAwait(false);
        }

        // The Coincident Time Stamp first (once in the ledger for all the readings of its clock measurement), so what
        // the Observations' derivedFrom names is there before them.
        if (reading.CoincidentKey is { } coincidentKey)
        {
            var coincident = await EnsureAsync("Observation", reading.CoincidentToSend(deviceReference), coincidentKey, known, ct).ConfigureAwait(false);
            if (coincident.Failure is not null)
                return coincident.Failure;
        }

        var serverIds = new List<string>(reading.Resources.Observations.Count);
        for (var i = 0; i < reading.Resources.Observations.Count; i++)
        {
            var observation = reading.ObservationToSend(i, deviceReference);
            var posted = await EnsureAsync("Observation", observation, reading.ObservationKeys[i], known, ct).ConfigureAwait(false);
            if (posted.Failure is not null)
                return posted.Failure;
            serverIds.Add(posted.ServerId ?? throw new InvalidOperationException("an Observation resolved without a server id (sender bug)"));
        }
        if (_provenance is not null && reading.ObservationKeys.Count > 0)
            await FileProvenanceAsync(reading.ObservationKeys[0], serverIds, ct).ConfigureAwait(false);
        return new DeliveryResult.Delivered(serverIds);
    }

    /// <summary>
    /// Without conditional create nothing on the server recognises a second Provenance, so the ledger does: keyed on
    /// the reading's first Observation, noted "sending" before the POST and never posted again once noted, whatever
    /// came of it. At most one per reading; a crash or lost answer between the two costs the Provenance, not a copy.
    /// </summary>
    private async System.Threading.Tasks.Task FileProvenanceAsync(Identifier firstObservationKey, IReadOnlyList<string> observationIds, CancellationToken ct)
    {
        var key = LedgerKey("Provenance", firstObservationKey);
        var known = await _ledger.GetLedgerAsync([key], ct).ConfigureAwait(false);
        if (known.ContainsKey(key))
            return;
        await _ledger.RecordSendingAsync([key], _time.GetUtcNow(), ct).ConfigureAwait(false);
        if (await _provenance!.FileAsync(_http, observationIds, firstObservationKey, conditional: false, _logger, ct).ConfigureAwait(false) is { } id)
            await _ledger.RecordAcknowledgedAsync(key, id, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>The resource's server id ("Type/id") from the ledger, a search, or a new POST.</summary>
    private async Task<Resolved> EnsureAsync(
        string type, Resource resource, Identifier identifier, IReadOnlyDictionary<string, LedgerEntry> known, CancellationToken ct)
    {
        var key = LedgerKey(type, identifier);
        known.TryGetValue(key, out var prior);
        // An acknowledgement without a server id (recorded before answers were verified) proves nothing: the
        // resource is looked up by its identifier like one whose POST had an unknown outcome.
        if (prior is { Acknowledged: true, ServerId: not null })
            return new Resolved(prior.ServerId, null);

        if (prior is not null && _search)
        {
            var found = await SearchAsync(type, identifier, ct).ConfigureAwait(false);
            if (found.Failure is not null)
                return found;
            if (found.ServerId is not null)
            {
                await _ledger.RecordAcknowledgedAsync(key, found.ServerId, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                DeliveryLog.FoundBySearch(_logger, type);
                return found;
            }
        }

        var json = JsonSerializer.Serialize(resource, resource.GetType(), _json);
        await _ledger.RecordSendingAsync([key], _time.GetUtcNow(), ct).ConfigureAwait(false);
        var response = await _http.SendAsync(HttpMethod.Post, type, json, null, "POST " + type, ct).ConfigureAwait(false);
        switch (response.Failure)
        {
            case null:
                if (response.CreatedId(type) is not { } id)
                {
                    // A 2xx that names no resource (a login page, an OperationOutcome, an empty 200) proves nothing.
                    // The ledger keeps "sending", so the next attempt looks the identifier up before posting again.
                    var reason = response.Unexpected($"no Location and no {type} with an id in the body");
                    DeliveryLog.UnexpectedAnswer(_logger, reason);
                    return new Resolved(null, new DeliveryResult.RetryLater(reason, null), response.Status, json);
                }
                // Not cancellable: the EHR has filed it; the acknowledgement must be on disk before anything else.
                await _ledger.RecordAcknowledgedAsync(key, type + "/" + id, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                return new Resolved(type + "/" + id, null, response.Status, json);
            case DeliveryResult.Rejected rejected:
                await _ledger.ForgetSendingAsync(key, CancellationToken.None).ConfigureAwait(false);
                return new Resolved(null, rejected, response.Status, json);
            default:
                return new Resolved(null, response.Failure, response.Status, json);
        }
    }

    /// <summary>A search for the identifier: its first match, none (ServerId null), or a transient failure.</summary>
    private async Task<Resolved> SearchAsync(string type, Identifier identifier, CancellationToken ct)
    {
        var response = await _http.SendAsync(
            HttpMethod.Get, type + "?" + ObservationIdentifier.ToSearchQuery(identifier), null, null, $"GET {type}?identifier", ct).ConfigureAwait(false);
        // A 404 or 405 to the search is a server without search by identifier, not a wrong base (the POST would show that).
        var unsupported = response.Failure switch
        {
            DeliveryResult.Rejected rejected => rejected.HttpStatus,
            DeliveryResult.RetryLater { Cause: RetryCause.Configuration, HttpStatus: 404 or 405 } notFound => notFound.HttpStatus,
            _ => 0,
        };
        if (unsupported != 0)
        {
            // The EHR cannot search by identifier: post again and accept that a copy may be filed twice.
            if (Interlocked.Exchange(ref _searchUnsupportedLogged, 1) == 0)
                DeliveryLog.SearchUnsupported(_logger, type, unsupported);
            return new Resolved(null, null);
        }
        if (response.Failure is DeliveryResult.RetryLater)
            return new Resolved(null, response.Failure);
        if (!IsSearchset(response.Body))
        {
            // R4 RESTful API 3.1.0.9 ("search"): the answer is a Bundle of type searchset. A login page or an
            // OperationOutcome says nothing about whether the resource is there; posting on it could file a copy.
            var reason = response.Unexpected("not a searchset Bundle");
            DeliveryLog.UnexpectedAnswer(_logger, reason);
            return new Resolved(null, new DeliveryResult.RetryLater(reason, null));
        }
        return new Resolved(FirstMatch(response.Body, type), null);
    }

    private static bool IsSearchset(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("resourceType", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "Bundle"
                && root.TryGetProperty("type", out var b) && b.ValueKind == JsonValueKind.String && b.GetString() == "searchset";
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? FirstMatch(string body, string type)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (!doc.RootElement.TryGetProperty("entry", out var entries) || entries.ValueKind != JsonValueKind.Array)
                return null;
            foreach (var entry in entries.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("resource", out var resource)
                    && ResourceLocation.TryGetIdFromBody(resource.GetRawText(), type, out var id))
                    return type + "/" + id;
            }
        }
        catch (JsonException)
        {
            // Not a searchset: treated as no match.
        }
        return null;
    }

    private sealed record Resolved(string? ServerId, DeliveryResult? Failure, int Status = 0, string Request = "");
}
