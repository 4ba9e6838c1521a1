using System.Collections.Concurrent;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
/// Bundle; during a split it also stands for the halves not yet sent, which therefore keep their order.
/// </para>
/// <para>
/// Device server ids are cached after a Bundle created (or matched) them, so later Bundles reference Device/{id} and
/// carry no Device entry; a refused Bundle drops its devices from the cache, in case the EHR lost them.
/// </para>
/// </summary>
public sealed class TransactionSender : IEhrSender
{
    private readonly EhrHttpClient _http;
    private readonly ILogger<TransactionSender> _logger;
    private readonly JsonSerializerOptions _json = new JsonSerializerOptions().ForFhir();
    private readonly ConcurrentDictionary<string, string> _deviceIds = new(StringComparer.Ordinal);

    public TransactionSender(EhrHttpClient http, IOptions<EhrOptions> options, ILogger<TransactionSender> logger)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _http = http;
        _logger = logger;
        MaxReadingsPerRequest = options.Value.Batch.MaxSize;
    }

    public int MaxReadingsPerRequest { get; }

    public async Task<IReadOnlyList<DeliveryResult>> SendAsync(IReadOnlyList<OutgoingReading> readings, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(readings);
        var results = new DeliveryResult[readings.Count];
        if (readings.Count > 0)
            await SendRangeAsync(readings, 0, readings.Count, results, ct).ConfigureAwait(false);
        return results;
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
            case BundleOutcome.Accepted accepted:
                for (var i = 0; i < count; i++)
                    results[start + i] = new DeliveryResult.Delivered(accepted.ServerIds[i]);
                return null;
            case BundleOutcome.Failed { Result: DeliveryResult.RetryLater later }:
                for (var i = 0; i < count; i++)
                    results[start + i] = later;
                return later;
            case BundleOutcome.Failed { Result: DeliveryResult.Rejected rejected }:
                if (count == 1)
                {
                    results[start] = rejected;
                    return null;
                }
                foreach (var reading in slice)
                {
                    if (reading.DeviceKey is { } key)
                        _deviceIds.TryRemove(DeviceCacheKey(key), out _);
                }
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
        var (bundle, observationEntries, deviceEntries) = Build(readings);
        var json = JsonSerializer.Serialize(bundle, _json);
        var response = await _http.SendAsync(HttpMethod.Post, "", json, null, readings.Count == 1 ? "POST transaction Bundle (1 reading)" : $"POST transaction Bundle ({readings.Count} readings)", ct)
            .ConfigureAwait(false);
        if (response.Failure is not null)
            return new BundleOutcome.Failed(response.Failure);

        var located = ReadLocations(response.Body, bundle.Entry.Count);
        foreach (var (entryIndex, cacheKey) in deviceEntries)
        {
            if (located[entryIndex] is { } deviceId && deviceId.StartsWith("Device/", StringComparison.Ordinal))
                _deviceIds[cacheKey] = deviceId["Device/".Length..];
        }
        var serverIds = new IReadOnlyList<string>[readings.Count];
        for (var r = 0; r < readings.Count; r++)
        {
            var ids = new List<string>(observationEntries[r].Count);
            foreach (var entryIndex in observationEntries[r])
            {
                if (located[entryIndex] is { } id)
                    ids.Add(id);
            }
            serverIds[r] = ids;
        }
        if (located.Count(l => l is not null) < bundle.Entry.Count)
            DeliveryLog.TransactionIncompleteResponse(_logger, response.Status, bundle.Entry.Count);
        return new BundleOutcome.Accepted(serverIds);
    }

    private (Bundle Bundle, List<int>[] ObservationEntries, List<(int Entry, string CacheKey)> DeviceEntries) Build(IReadOnlyList<OutgoingReading> readings)
    {
        // Firely's TransactionBuilder would make a batch unless told otherwise; the Bundle is built directly instead.
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        var deviceReference = new Dictionary<string, string>(StringComparer.Ordinal);
        var deviceEntries = new List<(int, string)>();
        var observationEntries = new List<int>[readings.Count];
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
            observationEntries[r] = new List<int>(reading.Resources.Observations.Count);
            for (var i = 0; i < reading.Resources.Observations.Count; i++)
            {
                var observation = reading.ObservationToSend(i, reference);
                observationEntries[r].Add(bundle.Entry.Count);
                bundle.Entry.Add(Entry("urn:uuid:" + Guid.NewGuid().ToString("D"), observation, "Observation", reading.ObservationKeys[i]));
            }
        }
        return (bundle, observationEntries, deviceEntries);
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

    /// <summary>
    /// "Type/id" per request entry from the transaction-response (its entries answer the request's in order, R4
    /// 3.1.0.11.2): response.location first, else the returned resource's id. Null where the answer names none.
    /// </summary>
    private static string?[] ReadLocations(string body, int entries)
    {
        var located = new string?[entries];
        if (string.IsNullOrWhiteSpace(body))
            return located;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (!doc.RootElement.TryGetProperty("entry", out var list) || list.ValueKind != JsonValueKind.Array)
                return located;
            var i = 0;
            foreach (var entry in list.EnumerateArray())
            {
                if (i == entries)
                    break;
                located[i++] = Locate(entry);
            }
        }
        catch (JsonException)
        {
            // A 2xx with a body that is not JSON still means the transaction was committed; the ids are unknown.
        }
        return located;
    }

    private static string? Locate(JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object)
            return null;
        foreach (var type in (ReadOnlySpan<string>)["Observation", "Device"])
        {
            if (entry.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object
                && response.TryGetProperty("location", out var location) && location.ValueKind == JsonValueKind.String
                && Uri.TryCreate(location.GetString(), UriKind.RelativeOrAbsolute, out var uri)
                && ResourceLocation.TryGetId(uri, type, out var id))
                return type + "/" + id;
            if (entry.TryGetProperty("resource", out var resource)
                && ResourceLocation.TryGetIdFromBody(resource.GetRawText(), type, out var fromBody))
                return type + "/" + fromBody;
        }
        return null;
    }

    private static string DeviceCacheKey(Identifier identifier) => identifier.System + "|" + identifier.Value;

    private abstract record BundleOutcome
    {
        public sealed record Accepted(IReadOnlyList<string>[] ServerIds) : BundleOutcome;

        public sealed record Failed(DeliveryResult Result) : BundleOutcome;
    }
}
