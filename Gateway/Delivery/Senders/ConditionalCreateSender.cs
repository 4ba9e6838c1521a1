using System.Collections.Concurrent;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.Logging;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Delivery.Senders;

/// <summary>
/// The <c>fhir-conditional</c> profile: one reading at a time, each resource a single conditional create (FHIR R4
/// RESTful API 3.1.0.8.1, "conditional create": <c>If-None-Exist</c> on its de-duplication identifier): the Device
/// once (then cached), then each Observation, so a resend after a lost answer finds the first copy instead of filing a
/// second one (exactly once in the EHR).
/// <para>
/// Expected EHR outcomes come back as a <see cref="DeliveryResult"/>; caller cancellation (shutdown) propagates as
/// <see cref="OperationCanceledException"/>. A singleton: it keeps the device-id cache; HTTP goes through the shared
/// <see cref="EhrHttpClient"/>, which it does not own.
/// </para>
/// </summary>
public sealed class ConditionalCreateSender : OneReadingPerRequestSender, IDisposable
{
    private readonly EhrHttpClient _http;
    private readonly ILogger<ConditionalCreateSender> _logger;
    private readonly JsonSerializerOptions _json = new JsonSerializerOptions().ForFhir();

    // Device identifier (system|value) -> server id. A device is created once per process; a restart costs one
    // conditional create per device, which the server answers with the existing id.
    private readonly ConcurrentDictionary<string, string> _deviceIds = new(StringComparer.Ordinal);

    // One create per device at a time: two parallel conditional creates of the same new Device can both miss on a
    // server without a unique index and leave two matches, after which every conditional create answers 412.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _deviceLocks = new(StringComparer.Ordinal);

    private readonly DeliveryProvenance? _provenance;
    private readonly DeviceUpdates _updates;

    /// <param name="provenance"><c>Fhir:Provenance</c>: when enabled, a conditional create of the Provenance of each delivered reading.</param>
    public ConditionalCreateSender(EhrHttpClient http, ILogger<ConditionalCreateSender> logger, DeliveryProvenance? provenance = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(logger);
        _http = http;
        _logger = logger;
        _provenance = provenance is { Enabled: true } ? provenance : null;
        _updates = new DeviceUpdates(http, logger);
    }

    protected override async Task<DeliveryResult> SendOneAsync(OutgoingReading reading, CancellationToken ct)
    {
        string? deviceReference = null;
        if (reading.DeviceKey is { } deviceKey)
        {
            var device = await EnsureDeviceAsync(reading.Resources.Device, deviceKey, ct).ConfigureAwait(false);
            if (device.Failure is not null)
                return device.Failure;
            deviceReference = "Device/" + device.Id;
        }

        // The Coincident Time Stamp first, so what the Observations' derivedFrom names is there before them.
        if (reading.CoincidentKey is { } coincidentKey)
        {
            var posted = await PostAsync("Observation", reading.CoincidentToSend(deviceReference), coincidentKey, ct).ConfigureAwait(false);
            if (posted.Failure is not null)
                return posted.Failure;
        }

        var serverIds = new List<string>(reading.Resources.Observations.Count);
        for (var i = 0; i < reading.Resources.Observations.Count; i++)
        {
            var observation = reading.ObservationToSend(i, deviceReference);
            var posted = await PostAsync("Observation", observation, reading.ObservationKeys[i], ct).ConfigureAwait(false);
            // Observations already created stay on the server; the retry re-sends them and the conditional create
            // answers 200 with the existing match, so nothing is filed twice.
            if (posted.Failure is not null)
                return posted.Failure;
            serverIds.Add("Observation/" + posted.Id);
        }
        // After the Observations are acknowledged, by their server ids; conditional on the first one's identifier
        // (docs/fhir.md, "Provenance"), so the resend after a lost answer matches it too.
        if (_provenance is not null && reading.ObservationKeys.Count > 0)
            await _provenance.FileAsync(_http, serverIds, reading.ObservationKeys[0], conditional: true, _logger, ct).ConfigureAwait(false);
        return new DeliveryResult.Delivered(serverIds);
    }

    private async Task<PostOutcome> EnsureDeviceAsync(Device device, Identifier identifier, CancellationToken ct)
    {
        var key = identifier.System + "|" + identifier.Value;
        if (_deviceIds.TryGetValue(key, out var cached))
        {
            await _updates.EnsureCurrentAsync(cached, device, ct).ConfigureAwait(false);
            return new PostOutcome(cached, null);
        }

        var gate = _deviceLocks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_deviceIds.TryGetValue(key, out cached))
                return new PostOutcome(cached, null);

            var posted = await PostAsync("Device", device, identifier, ct).ConfigureAwait(false);
            if (posted.Failure is not null)
                return posted;
            var id = posted.Id ?? throw new InvalidOperationException("a Device created without an id (sender bug)");
            _deviceIds[key] = id;
            DeliveryLog.DeviceResolved(_logger, key, id);
            // A match (200) may be the Device as the device described itself before a firmware update.
            if (posted.Created)
                _updates.Created(id, device);
            else
                await _updates.EnsureCurrentAsync(id, device, ct).ConfigureAwait(false);
            return posted;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<PostOutcome> PostAsync(string resourceType, Resource resource, Identifier identifier, CancellationToken ct)
    {
        var json = JsonSerializer.Serialize(resource, resource.GetType(), _json);
        var response = await _http.SendAsync(
            HttpMethod.Post, resourceType, json, ObservationIdentifier.ToSearchQuery(identifier), "POST " + resourceType, ct).ConfigureAwait(false);
        if (response.Failure is not null)
            return new PostOutcome(null, response.Failure);
        if (response.CreatedId(resourceType) is { } id)
            return new PostOutcome(id, null, response.Status == 201);
        // A 2xx naming no resource of the type (no Location, no such resource in the body: a login page, an
        // OperationOutcome) proves nothing. Retried, not refused: the conditional create finds what was filed.
        var reason = response.Unexpected($"no Location and no {resourceType} with an id in the body");
        DeliveryLog.UnexpectedAnswer(_logger, reason);
        return new PostOutcome(null, new DeliveryResult.RetryLater(reason, null));
    }

    public void Dispose()
    {
        foreach (var gate in _deviceLocks.Values)
            gate.Dispose();
    }

    /// <summary>One POST's outcome: the server id on success, else the result to hand back.</summary>
    private sealed record PostOutcome(string? Id, DeliveryResult? Failure, bool Created = false);
}
