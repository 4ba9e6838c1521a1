using System.Collections.Concurrent;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery.Auth;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// The <c>fhir-conditional</c> profile: delivers one reading at a time with single conditional creates: the Device
/// once (then cached), then each Observation with <c>If-None-Exist</c> on its de-duplication identifier, so a resend
/// after a lost answer finds the first copy instead of filing a second one (exactly once in the EHR, design.md).
/// <para>
/// Expected EHR outcomes come back as a <see cref="DeliveryResult"/>; caller cancellation (shutdown) propagates as
/// <see cref="OperationCanceledException"/>. A singleton: it keeps the device-id cache; HTTP goes through the shared
/// <see cref="EhrHttpClient"/>.
/// </para>
/// </summary>
public sealed partial class FhirSender : IEhrSender, IDisposable
{
    private readonly EhrHttpClient _http;
    private readonly bool _ownsHttp;
    private readonly ILogger<FhirSender> _logger;
    private readonly JsonSerializerOptions _json = new JsonSerializerOptions().ForFhir();

    // Device identifier (system|value) -> server id. A device is created once per process; a restart costs one
    // conditional create per device, which the server answers with the existing id.
    private readonly ConcurrentDictionary<string, string> _deviceIds = new(StringComparer.Ordinal);

    // One create per device at a time: two parallel conditional creates of the same new Device can both miss on a
    // server without a unique index and leave two matches, after which every conditional create answers 412.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _deviceLocks = new(StringComparer.Ordinal);

    /// <summary>A sender with the static credential of <c>Ehr:Auth</c> (Mode None or Bearer) and its own connection pool.</summary>
    public FhirSender(IOptions<EhrOptions> options, TimeProvider time, ILogger<FhirSender> logger)
        : this(options, new StaticEhrAuthenticator((options ?? throw new ArgumentNullException(nameof(options))).Value.Auth), time, logger)
    {
    }

    /// <summary>A sender with its own connection pool that asks <paramref name="authenticator"/> for the credential of every request (it does not own it).</summary>
    public FhirSender(IOptions<EhrOptions> options, IEhrAuthenticator authenticator, TimeProvider time, ILogger<FhirSender> logger)
        : this(new EhrHttpClient(options, authenticator, time, logger), logger, ownsHttp: true)
    {
    }

    /// <summary>A sender over the shared connection pool (not owned).</summary>
    public FhirSender(EhrHttpClient http, ILogger<FhirSender> logger)
        : this(http, logger, ownsHttp: false)
    {
    }

    private FhirSender(EhrHttpClient http, ILogger<FhirSender> logger, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(logger);
        _http = http;
        _ownsHttp = ownsHttp;
        _logger = logger;
    }

    /// <summary>How many device ids are cached (for the status page).</summary>
    public int CachedDeviceCount => _deviceIds.Count;

    public int MaxReadingsPerRequest => 1;

    public async Task<IReadOnlyList<DeliveryResult>> SendAsync(IReadOnlyList<OutgoingReading> readings, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(readings);
        var results = new DeliveryResult[readings.Count];
        for (var i = 0; i < readings.Count; i++)
            results[i] = await SendAsync(readings[i].Resources, readings[i].DeviceKey, readings[i].ObservationKeys, ct).ConfigureAwait(false);
        return results;
    }

    public Task<DeliveryResult> SendAsync(MappedReading mapped, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(mapped);
        ArgumentNullException.ThrowIfNull(mapped.Device);
        return SendAsync(
            mapped, OutgoingReading.DeduplicationKey(mapped.Device.Identifier, "Device"),
            [.. mapped.Observations.Select(o => OutgoingReading.DeduplicationKey(o.Identifier, "Observation"))], ct);
    }

    private async Task<DeliveryResult> SendAsync(MappedReading mapped, Identifier? deviceIdentifier, IReadOnlyList<Identifier> keys, CancellationToken ct)
    {
        string? deviceId = null;
        if (deviceIdentifier is not null)
        {
            var device = await EnsureDeviceAsync(mapped.Device, deviceIdentifier, ct).ConfigureAwait(false);
            if (device.Failure is not null)
                return device.Failure;
            deviceId = device.Id;
        }

        var serverIds = new List<string>(mapped.Observations.Count);
        for (var i = 0; i < mapped.Observations.Count; i++)
        {
            // A copy: the caller's mapping stays as it was (it may be re-sent, logged or shown by `decode`).
            var observation = mapped.Observations[i].DeepCopy();
            if (deviceIdentifier is not null)
            {
                observation.Device ??= new ResourceReference { Identifier = deviceIdentifier.DeepCopy() };
                observation.Device.Reference = "Device/" + deviceId;
            }

            var posted = await PostAsync("Observation", observation, keys[i], ct).ConfigureAwait(false);
            // Observations already created stay on the server; the retry re-sends them and the conditional create
            // answers 200 with the existing match, so nothing is filed twice.
            if (posted.Failure is not null)
                return posted.Failure;
            if (posted.Id is not null)
                serverIds.Add("Observation/" + posted.Id);
        }
        return new DeliveryResult.Delivered(serverIds);
    }

    private async Task<PostOutcome> EnsureDeviceAsync(Device device, Identifier identifier, CancellationToken ct)
    {
        var key = identifier.System + "|" + identifier.Value;
        if (_deviceIds.TryGetValue(key, out var cached))
            return new PostOutcome(cached, null);

        var gate = _deviceLocks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_deviceIds.TryGetValue(key, out cached))
                return new PostOutcome(cached, null);

            var posted = await PostAsync("Device", device, identifier, ct).ConfigureAwait(false);
            if (posted.Failure is not null)
                return posted;
            if (posted.Id is null)
            {
                // Without an id nothing can point at the Device; retrying would get the same answer.
                var result = new DeliveryResult.Rejected(
                    $"HTTP {posted.Status} from the EHR on POST Device named no id (no Location, no id in the body)",
                    posted.Status, posted.Request, posted.Response);
                LogRejected(posted.Status, result.Reason);
                return new PostOutcome(null, result);
            }
            _deviceIds[key] = posted.Id;
            LogDeviceResolved(key, posted.Id);
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
        return response.Failure is not null
            ? new PostOutcome(null, response.Failure, response.Status, json, response.Body.Length == 0 ? null : response.Body)
            : new PostOutcome(response.ResourceId(resourceType), null, response.Status, json, response.Body.Length == 0 ? null : response.Body);
    }

    public void Dispose()
    {
        if (_ownsHttp)
            _http.Dispose();
        foreach (var gate in _deviceLocks.Values)
            gate.Dispose();
    }

    /// <summary>One POST's outcome: the server id on success, else the result to hand back.</summary>
    private sealed record PostOutcome(string? Id, DeliveryResult? Failure, int Status = 0, string Request = "", string? Response = null);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "Device {DeviceIdentifier} is Device/{ServerId} on the EHR")]
    private partial void LogDeviceResolved(string deviceIdentifier, string serverId);

    [LoggerMessage(EventId = 3016, Level = LogLevel.Debug, Message = "The EHR answered a Device create with HTTP {Status} but named no id: {Reason}")]
    private partial void LogRejected(int status, string reason);
}
