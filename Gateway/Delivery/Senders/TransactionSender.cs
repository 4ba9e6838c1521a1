using System.Collections.Concurrent;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Delivery.Senders;

/// <summary>
/// The <c>fhir-transaction</c> profile: several readings in one transaction Bundle (Bundle.type transaction, R4
/// 3.1.0.11.2: all or nothing). Each entry is a conditional create: a Device with <c>request.ifNoneExist</c> on its
/// identifier and a urn:uuid fullUrl that the Observations' device references resolve to; each Observation with
/// <c>request.ifNoneExist</c> on its de-duplication identifier, so a resent Bundle matches what the first one filed.
/// <para>
/// Because a transaction is atomic, one refused reading fails the Bundle for all: on a permanent refusal the Bundle is
/// split in halves and each half sent again (first half first, keeping per-device order), down to the single reading
/// that the server refuses, which alone becomes a dead letter with the request, status and OperationOutcome. A
/// transient failure (network, timeout, 429/503 with Retry-After, 5xx) is the same answer for every reading of the
/// Bundle; during a split it also stands for the halves not yet sent, which therefore keep their order. The delivery
/// loop splits further what this sender does not: a Bundle that timed out, was refused for its size or met a 5xx
/// (<see cref="RetryCause"/>). The readings of a device whose last reading was refused go one per Bundle, after the
/// others (<see cref="RefusingDevices"/>), so a device the EHR keeps refusing does not split every Bundle it is in.
/// </para>
/// <para>
/// Device server ids are cached after a Bundle created (or matched) them, so later Bundles reference Device/{id} and
/// carry no Device entry. A refused Bundle keeps them: a lone reading refused over its Device reference is sent once
/// more with its Device entry, in case the EHR lost the Device.
/// </para>
/// <para>
/// A 2xx alone is not delivery (<see cref="TransactionAnswer"/>): a reading is delivered only when the answer is a
/// transaction-response with one entry per request entry and a 2xx for each of that reading's entries. An entry
/// refused with a 4xx makes its reading a dead letter with that entry's OperationOutcome; every other shortfall (an
/// HTML page, an OperationOutcome, a batch-response, missing entries) is retried, and the conditional creates make the
/// resend find what the EHR did file.
/// </para>
/// </summary>
public sealed class TransactionSender : IEhrSender
{
    private readonly EhrHttpClient _http;
    private readonly ILogger<TransactionSender> _logger;
    private readonly JsonSerializerOptions _json = new JsonSerializerOptions().ForFhir();
    private readonly ConcurrentDictionary<string, string> _deviceIds = new(StringComparer.Ordinal);
    private readonly EhrServerPreset _preset;
    private readonly RefusingDevices _refusing = new();
    private readonly DeliveryProvenance? _provenance;
    private readonly DeviceUpdates _updates;

    public TransactionSender(EhrHttpClient http, IOptions<EhrOptions> options, ILogger<TransactionSender> logger)
        : this(http, options, new EhrServerPreset(options?.Value ?? throw new ArgumentNullException(nameof(options))), logger)
    {
    }

    /// <param name="preset">Ehr:Batch:MaxEntries as in effect at each send (configured, or the EHR's preset).</param>
    /// <param name="provenance"><c>Fhir:Provenance</c>: when enabled, each Bundle carries the Provenance of its Observations.</param>
    public TransactionSender(
        EhrHttpClient http, IOptions<EhrOptions> options, EhrServerPreset preset, ILogger<TransactionSender> logger, DeliveryProvenance? provenance = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(preset);
        ArgumentNullException.ThrowIfNull(logger);
        _http = http;
        _logger = logger;
        _preset = preset;
        _provenance = provenance is { Enabled: true } ? provenance : null;
        _updates = new DeviceUpdates(http, logger);
        MaxReadingsPerRequest = options.Value.Batch.MaxSize;
    }

    /// <summary>
    /// Readings per hand-over (<c>Ehr:Batch:MaxSize</c>), and per Bundle unless <c>Ehr:Batch:MaxEntries</c> makes the
    /// Bundles smaller: then the readings go in consecutive Bundles, in order.
    /// </summary>
    public int MaxReadingsPerRequest { get; }

    public async Task<IReadOnlyList<DeliveryResult>> SendAsync(IReadOnlyList<OutgoingReading> readings, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(readings);
        var (ordered, firstRefusing, from) = _refusing.OthersFirst(readings);
        var results = new DeliveryResult[readings.Count];
        var maxEntries = _preset.Current.MaxEntries;
        // The Provenance is an entry too.
        if (maxEntries > 0 && _provenance is not null)
            maxEntries = Math.Max(1, maxEntries - 1);
        for (var start = 0; start < ordered.Count;)
        {
            var count = start >= firstRefusing ? 1
                : Math.Min(firstRefusing - start, maxEntries > 0 ? ReadingsWithin(ordered, start, maxEntries) : ordered.Count);
            var stopped = await SendRangeAsync(ordered, start, count, results, ct).ConfigureAwait(false);
            start += count;
            if (stopped is not null)
            {
                // As in a split: a later Bundle could put a device's later reading before its earlier one.
                for (var i = start; i < ordered.Count; i++)
                    results[i] = stopped;
                break;
            }
        }
        if (firstRefusing == readings.Count)
            return results;
        var inPlace = new DeliveryResult[readings.Count];
        for (var i = 0; i < results.Length; i++)
            inPlace[from[i]] = results[i];
        return inPlace;
    }

    /// <summary>
    /// How many readings from <paramref name="start"/> fit in <paramref name="maxEntries"/> entries (at least one):
    /// each Observation is an entry, and so is each Device not yet known by its server id.
    /// </summary>
    private int ReadingsWithin(IReadOnlyList<OutgoingReading> readings, int start, int maxEntries)
    {
        var devices = new HashSet<string>(StringComparer.Ordinal);
        var coincident = new HashSet<string>(StringComparer.Ordinal);
        var entries = 0;
        var count = 0;
        for (var r = start; r < readings.Count; r++)
        {
            var reading = readings[r];
            var add = reading.Resources.Observations.Count;
            if (reading.DeviceKey is { } key && !_deviceIds.ContainsKey(DeviceCacheKey(key)) && !devices.Contains(DeviceCacheKey(key)))
                add++;
            if (reading.CoincidentKey is { } ck && !coincident.Contains(DeviceCacheKey(ck)))
                add++;
            if (count > 0 && entries + add > maxEntries)
                break;
            entries += add;
            count++;
            if (reading.DeviceKey is { } k)
                devices.Add(DeviceCacheKey(k));
            if (reading.CoincidentKey is { } c)
                coincident.Add(DeviceCacheKey(c));
        }
        return count;
    }

    /// <returns>The transient failure that stopped the range, or null when every reading got its own answer.</returns>
    private async Task<DeliveryResult.RetryLater?> SendRangeAsync(
        IReadOnlyList<OutgoingReading> readings, int start, int count, DeliveryResult[] results, CancellationToken ct)
    {
        var slice = new OutgoingReading[count];
        for (var i = 0; i < count; i++)
            slice[i] = readings[start + i];
        var outcome = await SendBundleAsync(slice, ct).ConfigureAwait(false);
        switch (outcome)
        {
            case BundleOutcome.Answered answered:
                DeliveryResult.RetryLater? first = null;
                for (var i = 0; i < count; i++)
                {
                    results[start + i] = answered.Results[i];
                    first ??= answered.Results[i] as DeliveryResult.RetryLater;
                    if (answered.Results[i] is DeliveryResult.Delivered)
                        _refusing.Delivered(slice[i]);
                    else if (answered.Results[i] is DeliveryResult.Rejected)
                        _refusing.Refused(slice[i]);
                }
                // A reading left to retry stands, like a transient failure, for the halves not yet sent.
                return first;
            case BundleOutcome.Failed { Result: DeliveryResult.RetryLater later }:
                for (var i = 0; i < count; i++)
                    results[start + i] = later;
                return later;
            case BundleOutcome.Failed { Result: DeliveryResult.Rejected rejected }:
                if (count == 1)
                {
                    // The one refusal that may be ours, not the reading's: a Device the EHR no longer has. Sent once
                    // more with its Device entry; a reading refused on its merits is refused again and kept.
                    if (MayBeMissingDevice(slice[0], rejected, out var cacheKey) && _deviceIds.TryRemove(cacheKey, out _))
                        return await SendRangeAsync(readings, start, 1, results, ct).ConfigureAwait(false);
                    results[start] = rejected;
                    _refusing.Refused(slice[0]);
                    return null;
                }
                // The devices stay cached through the split: a refusal of one reading's content (the usual 4xx) says
                // nothing about the Devices, and re-creating them all would cost every later Bundle entries (and, with
                // Ehr:Batch:MaxEntries, readings). A missing Device shows up on the lone reading, above.
                DeliveryLog.TransactionSplit(_logger, count, rejected.HttpStatus);
                var firstHalf = count / 2;
                var stopped = await SendRangeAsync(readings, start, firstHalf, results, ct).ConfigureAwait(false);
                if (stopped is not null)
                {
                    // Sending the second half now could put a device's later reading before its earlier one.
                    for (var i = start + firstHalf; i < start + count; i++)
                        results[i] = stopped;
                    return stopped;
                }
                return await SendRangeAsync(readings, start + firstHalf, count - firstHalf, results, ct).ConfigureAwait(false);
            default:
                throw new InvalidOperationException($"unexpected bundle outcome {outcome}");
        }
    }

    private async Task<BundleOutcome> SendBundleAsync(IReadOnlyList<OutgoingReading> readings, CancellationToken ct)
    {
        var (bundle, observationEntries, deviceEntries, coincidentEntries) = Build(readings);
        var json = JsonSerializer.Serialize(bundle, _json);
        var response = await _http.SendAsync(HttpMethod.Post, "", json, null, readings.Count == 1 ? "POST [base] (transaction, 1 reading)" : $"POST [base] (transaction, {readings.Count} readings)", ct)
            .ConfigureAwait(false);
        if (response.Failure is not null)
            return new BundleOutcome.Failed(response.Failure);

        var answer = TransactionAnswer.Read(response.Body, bundle.Entry.Count);
        if (answer.Problem is not null)
        {
            // Nothing in the answer says which entries were filed: all readings are retried, and their conditional
            // creates (request.ifNoneExist) match whatever the EHR did file, so nothing is filed twice.
            var reason = response.Unexpected(answer.Problem);
            DeliveryLog.UnexpectedAnswer(_logger, reason);
            return new BundleOutcome.Failed(new DeliveryResult.RetryLater(reason, null));
        }

        // Device ids only from entries that say they were created or matched.
        var deviceEntryOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (entryIndex, cacheKey) in deviceEntries)
        {
            deviceEntryOf[cacheKey] = entryIndex;
            if (answer.Entries[entryIndex] is { Succeeded: true, ServerId: { } deviceId } && deviceId.StartsWith("Device/", StringComparison.Ordinal))
                _deviceIds[cacheKey] = deviceId["Device/".Length..];
        }
        // A Device matched (200) or known by id may be as the device described itself before a firmware update.
        foreach (var reading in readings.Where(r => r.DeviceKey is not null).DistinctBy(r => DeviceCacheKey(r.DeviceKey!)))
        {
            var cacheKey = DeviceCacheKey(reading.DeviceKey!);
            if (!_deviceIds.TryGetValue(cacheKey, out var id))
                continue;
            if (deviceEntryOf.TryGetValue(cacheKey, out var entry) && answer.Entries[entry].Status == 201)
                _updates.Created(id, reading.Resources.Device);
            else
                await _updates.EnsureCurrentAsync(id, reading.Resources.Device, ct).ConfigureAwait(false);
        }

        var results = new DeliveryResult[readings.Count];
        var unverified = false;
        for (var r = 0; r < readings.Count; r++)
        {
            // A reading's entries: its Observations and, when this Bundle creates it, the Device they point at.
            var entries = new List<int>(observationEntries[r]);
            if (coincidentEntries[r] is { } coincidentEntry)
                entries.Insert(0, coincidentEntry);
            if (readings[r].DeviceKey is { } key && deviceEntryOf.TryGetValue(DeviceCacheKey(key), out var deviceEntry))
                entries.Insert(0, deviceEntry);
            results[r] = Judge(readings[r], entries, observationEntries[r], answer, response, json);
            unverified |= results[r] is DeliveryResult.RetryLater;
        }
        if (unverified)
            DeliveryLog.UnexpectedAnswer(_logger, response.Unexpected(Describe(answer)));
        else if (answer.Entries.Any(e => e.Succeeded && e.ServerId is null))
            DeliveryLog.TransactionIncompleteResponse(_logger, response.Status, bundle.Entry.Count);
        return new BundleOutcome.Answered(results);
    }

    /// <summary>
    /// One reading's result from a readable answer: refused when one of its entries was refused (4xx, the refused-reading
    /// rules: a dead letter with that entry's OperationOutcome), delivered when the answer is a transaction-response
    /// whose every entry succeeded (2xx), otherwise retried: a batch-response or a failed entry proves nothing about
    /// what the EHR kept, and the conditional creates make the resend safe.
    /// </summary>
    /// <param name="observations">The entries of the reading's own Observations: their server ids are what it delivered.</param>
    private DeliveryResult Judge(OutgoingReading reading, List<int> entries, List<int> observations, TransactionAnswer answer, EhrResponse response, string request)
    {
        foreach (var index in entries)
        {
            var entry = answer.Entries[index];
            if (!entry.Refused)
                continue;
            var issues = OperationOutcomeSummary.TrySummarise(entry.Outcome);
            var reason = $"HTTP {entry.Status} for entry {index + 1} of the {(answer.IsTransactionResponse ? "transaction" : "batch")}-response to {response.What}"
                + (issues is null ? " (no OperationOutcome)" : ": " + issues);
            DeliveryLog.TransactionEntryRefused(_logger, index + 1, entry.Status, reading.Entry.Id);
            return new DeliveryResult.Rejected(reason, entry.Status, request, entry.Outcome);
        }
        // A transaction is all or nothing (3.1.0.11.2): a transaction-response with any entry not 2xx contradicts
        // itself, so none of its entries proves anything.
        if (answer.IsTransactionResponse && answer.Entries.All(e => e.Succeeded))
        {
            var ids = new List<string>(observations.Count);
            foreach (var index in observations)
            {
                if (answer.Entries[index].ServerId is { } id && id.StartsWith("Observation/", StringComparison.Ordinal))
                    ids.Add(id);
            }
            return new DeliveryResult.Delivered(ids);
        }
        // An entry that failed with a 5xx may be this Bundle's content: the delivery loop bisects to find the reading.
        return new DeliveryResult.RetryLater(response.Unexpected(Describe(answer)), null)
        {
            Cause = answer.Entries.Any(e => e.Status is >= 500 and <= 599) ? RetryCause.ServerError : RetryCause.Unavailable,
            HttpStatus = response.Status,
        };
    }

    private static string Describe(TransactionAnswer answer)
    {
        var failed = answer.Entries.Count(e => !e.Succeeded);
        return answer.IsTransactionResponse
            ? $"a transaction-response with {failed} of {answer.Entries.Count} entries not 2xx"
            : $"a batch-response (not a transaction-response) with {failed} of {answer.Entries.Count} entries not 2xx";
    }

    private (Bundle Bundle, List<int>[] ObservationEntries, List<(int Entry, string CacheKey)> DeviceEntries, int?[] CoincidentEntries) Build(
        IReadOnlyList<OutgoingReading> readings)
    {
        // Firely's TransactionBuilder would make a batch unless told otherwise; the Bundle is built directly instead.
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        var deviceReference = new Dictionary<string, string>(StringComparer.Ordinal);
        var deviceEntries = new List<(int, string)>();
        var observationEntries = new List<int>[readings.Count];
        var coincidentEntries = new int?[readings.Count];
        // One entry per Coincident Time Stamp: the readings of one clock measurement share it (and its identifier).
        var coincidentOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var r = 0; r < readings.Count; r++)
        {
            var reading = readings[r];
            string? reference = null;
            if (reading.DeviceKey is { } deviceKey)
            {
                var cacheKey = DeviceCacheKey(deviceKey);
                if (!deviceReference.TryGetValue(cacheKey, out reference))
                {
                    if (_deviceIds.TryGetValue(cacheKey, out var known))
                    {
                        reference = "Device/" + known;
                    }
                    else
                    {
                        reference = "urn:uuid:" + Guid.NewGuid().ToString("D");
                        deviceEntries.Add((bundle.Entry.Count, cacheKey));
                        bundle.Entry.Add(Entry(reference, reading.Resources.Device, "Device", deviceKey));
                    }
                    deviceReference[cacheKey] = reference;
                }
            }
            if (reading.CoincidentKey is { } coincidentKey)
            {
                var cacheKey = DeviceCacheKey(coincidentKey);
                if (!coincidentOf.TryGetValue(cacheKey, out var index))
                {
                    index = bundle.Entry.Count;
                    coincidentOf[cacheKey] = index;
                    bundle.Entry.Add(Entry("urn:uuid:" + Guid.NewGuid().ToString("D"), reading.CoincidentToSend(reference), "Observation", coincidentKey));
                }
                coincidentEntries[r] = index;
            }
            observationEntries[r] = new List<int>(reading.Resources.Observations.Count);
            for (var i = 0; i < reading.Resources.Observations.Count; i++)
            {
                var observation = reading.ObservationToSend(i, reference);
                observationEntries[r].Add(bundle.Entry.Count);
                bundle.Entry.Add(Entry("urn:uuid:" + Guid.NewGuid().ToString("D"), observation, "Observation", reading.ObservationKeys[i]));
            }
        }
        if (_provenance is not null && observationEntries.Any(e => e.Count > 0))
        {
            // In the same transaction (all or nothing, R4 3.1.0.11.2): it exists exactly when the Observations were
            // filed by it. Its targets are the entries' urn:uuid fullUrls, which the server rewrites to the ids it
            // assigned or matched (3.1.0.11.2, "resolving references in Bundles"). A resend of Observations the EHR
            // already holds matches the Provenance that names the first of them instead of filing a second one.
            var targets = observationEntries.SelectMany(e => e).Select(i => bundle.Entry[i].FullUrl!).ToList();
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = "urn:uuid:" + Guid.NewGuid().ToString("D"),
                Resource = _provenance.Create(targets),
                Request = new Bundle.RequestComponent
                {
                    Method = Bundle.HTTPVerb.POST,
                    Url = "Provenance",
                    IfNoneExist = ProvenanceResource.IfNoneExist(readings.SelectMany(r => r.ObservationKeys).First()),
                },
            });
        }
        return (bundle, observationEntries, deviceEntries, coincidentEntries);
    }

    private static Bundle.EntryComponent Entry(string fullUrl, Resource resource, string type, Identifier key) => new()
    {
        FullUrl = fullUrl,
        Resource = resource,
        Request = new Bundle.RequestComponent
        {
            Method = Bundle.HTTPVerb.POST,
            Url = type,
            IfNoneExist = ObservationIdentifier.ToSearchQuery(key),
        },
    };

    private static string DeviceCacheKey(Identifier identifier) => identifier.System + "|" + identifier.Value;

    /// <summary>
    /// Whether a lone reading's refusal may be about its Device reference rather than its content: it referenced a
    /// cached Device/{id} and the OperationOutcome names that reference, the device element, or a resource not found
    /// (issue type <c>not-found</c>, FHIR R4 IssueType), as servers word a dangling reference in a transaction.
    /// </summary>
    private bool MayBeMissingDevice(OutgoingReading reading, DeliveryResult.Rejected rejected, out string cacheKey)
    {
        cacheKey = reading.DeviceKey is { } key ? DeviceCacheKey(key) : "";
        if (cacheKey.Length == 0 || !_deviceIds.TryGetValue(cacheKey, out var id))
            return false;
        var outcome = rejected.Response ?? "";
        return outcome.Contains("Device/" + id, StringComparison.Ordinal)
            || outcome.Contains("Observation.device", StringComparison.Ordinal)
            || outcome.Contains("\"not-found\"", StringComparison.Ordinal)
            || rejected.HttpStatus == 404;
    }

    private abstract record BundleOutcome
    {
        /// <summary>A readable answer: one result per reading.</summary>
        public sealed record Answered(IReadOnlyList<DeliveryResult> Results) : BundleOutcome;

        public sealed record Failed(DeliveryResult Result) : BundleOutcome;
    }
}
