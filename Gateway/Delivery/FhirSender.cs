using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery.Auth;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// Delivers one mapped reading to a FHIR R4 server with single conditional creates: the Device once (then cached),
/// then each Observation with <c>If-None-Exist</c> on its de-duplication identifier, so a resend after a lost answer
/// finds the first copy instead of filing a second one (exactly once in the EHR, design.md).
/// <para>
/// Expected EHR outcomes come back as a <see cref="DeliveryResult"/>; caller cancellation (shutdown) propagates as
/// <see cref="OperationCanceledException"/>. A singleton: it owns one pooled HTTP connection set and the
/// device-id cache.
/// </para>
/// </summary>
public sealed partial class FhirSender : IDisposable
{
    private const string FhirJson = "application/fhir+json";

    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly IEhrAuthenticator _auth;
    private readonly ILogger<FhirSender> _logger;
    private readonly JsonSerializerOptions _json = new JsonSerializerOptions().ForFhir();

    // Device identifier (system|value) -> server id. A device is created once per process; a restart costs one
    // conditional create per device, which the server answers with the existing id.
    private readonly ConcurrentDictionary<string, string> _deviceIds = new(StringComparer.Ordinal);

    // One create per device at a time: two parallel conditional creates of the same new Device can both miss on a
    // server without a unique index and leave two matches, after which every conditional create answers 412.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _deviceLocks = new(StringComparer.Ordinal);

    /// <summary>A sender with the static credential of <c>Ehr:Auth</c> (Mode None or Bearer).</summary>
    public FhirSender(IOptions<EhrOptions> options, TimeProvider time, ILogger<FhirSender> logger)
        : this(options, new StaticEhrAuthenticator((options ?? throw new ArgumentNullException(nameof(options))).Value.Auth), time, logger)
    {
    }

    /// <summary>A sender that asks <paramref name="authenticator"/> for the credential of every request (it does not own it).</summary>
    public FhirSender(IOptions<EhrOptions> options, IEhrAuthenticator authenticator, TimeProvider time, ILogger<FhirSender> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(authenticator);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        var o = options.Value;
        _base = o.BaseUri();
        _timeout = o.Timeout;
        _time = time;
        _auth = authenticator;
        _logger = logger;
        _http = CreateHttpClient(o);
    }

    /// <summary>How many device ids are cached (for the status page).</summary>
    public int CachedDeviceCount => _deviceIds.Count;

    public async Task<DeliveryResult> SendAsync(MappedReading mapped, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(mapped);
        ArgumentNullException.ThrowIfNull(mapped.Device);
        var deviceIdentifier = DeduplicationIdentifier(mapped.Device.Identifier, "Device");

        var device = await EnsureDeviceAsync(mapped.Device, deviceIdentifier, ct).ConfigureAwait(false);
        if (device.Failure is not null)
            return device.Failure;

        var serverIds = new List<string>(mapped.Observations.Count);
        foreach (var original in mapped.Observations)
        {
            // A copy: the caller's mapping stays as it was (it may be re-sent, logged or shown by `decode`).
            var observation = original.DeepCopy();
            var identifier = DeduplicationIdentifier(observation.Identifier, "Observation");
            observation.Device ??= new ResourceReference { Identifier = deviceIdentifier.DeepCopy() };
            observation.Device.Reference = "Device/" + device.Id;

            var posted = await PostAsync("Observation", observation, identifier, ct).ConfigureAwait(false);
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
        var ifNoneExist = ObservationIdentifier.ToSearchQuery(identifier);
        var uri = new Uri(_base, resourceType);
        // SMART: "on 401 refresh once". The second attempt's 401 is answered below like any other.
        for (var attempt = 0; ; attempt++)
        {
            var authorization = await _auth.AuthorizeAsync(ct).ConfigureAwait(false);
            if (authorization.FailureReason is not null)
                return RetryLater($"no access token for POST {resourceType}: {authorization.FailureReason}", null);
            var outcome = await PostOnceAsync(resourceType, uri, json, ifNoneExist, authorization, attempt == 0 && _auth.CanRefresh, ct)
                .ConfigureAwait(false);
            if (outcome is not null)
                return outcome;
            _auth.Invalidate(authorization);
        }
    }

    /// <returns>The outcome, or null when the EHR refused a refreshable credential and the caller should try once more.</returns>
    private async Task<PostOutcome?> PostOnceAsync(
        string resourceType, Uri uri, string json, string ifNoneExist, EhrAuthorization authorization, bool mayRefresh, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new StringContent(json, Encoding.UTF8, FhirJson),
        };
        request.Headers.TryAddWithoutValidation("If-None-Exist", ifNoneExist);
        if (authorization.BearerToken is { } token)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var started = _time.GetTimestamp();
        HttpResponseMessage response;
        string body;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
            body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex)
        {
            // Not the caller's token, so HttpClient.Timeout (Ehr:Timeout) expired.
            LogRequestFailed(ex, uri, ElapsedMs(started));
            return RetryLater($"no answer from the EHR within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s on POST {resourceType}", null);
        }
        catch (HttpRequestException ex)
        {
            LogRequestFailed(ex, uri, ElapsedMs(started));
            return RetryLater(Describe(ex, resourceType), null);
        }
        catch (IOException ex)
        {
            LogRequestFailed(ex, uri, ElapsedMs(started));
            return RetryLater($"I/O error talking to the EHR on POST {resourceType}", null);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            LogResponse(uri, ifNoneExist, status, ElapsedMs(started));

            if (status is >= 200 and <= 299)
            {
                var id = ResourceLocation.TryGetId(response.Headers.Location, resourceType, out var fromLocation) ? fromLocation
                    : ResourceLocation.TryGetId(response.Content.Headers.ContentLocation, resourceType, out var fromContent) ? fromContent
                    : ResourceLocation.TryGetIdFromBody(body, resourceType, out var fromBody) ? fromBody
                    : null;
                return new PostOutcome(id, null, status, json, body.Length == 0 ? null : body);
            }

            var retryAfter = RetryAfterHeader.ToDelay(response.Headers.RetryAfter, _time.GetUtcNow());
            if (status is 408 or 429 or >= 500 and <= 599)
                return RetryLater($"HTTP {status} from the EHR on POST {resourceType}", retryAfter);
            if (status == 401 && mayRefresh)
                return null;
            if (status == 401)
            {
                // Credentials are a property of the gateway, not of the payload: dead-lettering every reading until
                // an operator fixes Ehr:Auth would turn a configuration slip into a mass replay.
                return RetryLater($"HTTP 401 from the EHR on POST {resourceType}: credentials refused (check Ehr:Auth)", retryAfter);
            }
            if (status is >= 400 and <= 499)
            {
                var reason = new StringBuilder()
                    .Append("HTTP ").Append(status).Append(" from the EHR on POST ").Append(resourceType);
                if (status == 412)
                    reason.Append(": several resources match the conditional create's identifier");
                var issues = OperationOutcomeSummary.TrySummarise(body);
                reason.Append(issues is null ? (status == 412 ? "" : " (no OperationOutcome)") : ": " + issues);
                var rejected = new DeliveryResult.Rejected(reason.ToString(), status, json, body.Length == 0 ? null : body);
                LogRejected(status, rejected.Reason);
                return new PostOutcome(null, rejected, status, json, rejected.Response);
            }
            // 1xx/3xx: redirects are not followed (a POST must not silently become a GET); the base URL is likely wrong.
            return RetryLater($"unexpected HTTP {status} from the EHR on POST {resourceType} (check Ehr:BaseUrl)", retryAfter);
        }
    }

    private PostOutcome RetryLater(string reason, TimeSpan? retryAfter)
    {
        LogRetryLater(reason, retryAfter?.TotalSeconds);
        return new PostOutcome(null, new DeliveryResult.RetryLater(reason, retryAfter));
    }

    private string Describe(HttpRequestException ex, string resourceType)
    {
        var target = $"{_base.Host}:{_base.Port}";
        var socketError = FindSocketError(ex);
        return ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => $"cannot resolve the EHR host {_base.Host} on POST {resourceType}",
            HttpRequestError.ConnectionError when socketError is SocketError.ConnectionRefused =>
                $"connection refused by the EHR at {target} on POST {resourceType}",
            HttpRequestError.ConnectionError =>
                $"cannot connect to the EHR at {target} on POST {resourceType} ({(socketError?.ToString() ?? "connection error")})",
            HttpRequestError.SecureConnectionError => $"TLS handshake with the EHR at {target} failed on POST {resourceType}",
            _ => $"HTTP transport error with the EHR at {target} on POST {resourceType} ({ex.HttpRequestError})",
        };
    }

    private static SocketError? FindSocketError(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException se)
                return se.SocketErrorCode;
        }
        return null;
    }

    /// <summary>The first identifier with both system and value: the mapper puts the de-duplication identifier there.</summary>
    private static Identifier DeduplicationIdentifier(List<Identifier> identifiers, string resourceType) =>
        identifiers.FirstOrDefault(i => !string.IsNullOrEmpty(i.System) && !string.IsNullOrEmpty(i.Value))
        ?? throw new ArgumentException(
            $"The {resourceType} has no identifier with a system and a value; conditional create needs one (mapping bug).");

    private long ElapsedMs(long started) => (long)_time.GetElapsedTime(started).TotalMilliseconds;

    private static HttpClient CreateHttpClient(EhrOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            // Recycled connections pick up DNS changes (EHR fail-over) in a long-running singleton.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            MaxConnectionsPerServer = options.MaxConnectionsPerServer,
            ConnectTimeout = options.Timeout,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.All,
        };
        var http = new HttpClient(handler, disposeHandler: true) { Timeout = options.Timeout };
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue(FhirJson));
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Vitals-Gateway", "1.0"));
        return http;
    }

    public void Dispose()
    {
        _http.Dispose();
        foreach (var gate in _deviceLocks.Values)
            gate.Dispose();
    }

    /// <summary>One POST's outcome: the server id on success, else the result to hand back.</summary>
    private sealed record PostOutcome(string? Id, DeliveryResult? Failure, int Status = 0, string Request = "", string? Response = null);

    // Debug: may carry identifiers (the If-None-Exist query is derived from device and patient data).
    [LoggerMessage(EventId = 3000, Level = LogLevel.Debug, Message = "POST {Url} If-None-Exist: {IfNoneExist} -> HTTP {Status} in {ElapsedMs} ms")]
    private partial void LogResponse(Uri url, string ifNoneExist, int status, long elapsedMs);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "POST {Url} failed after {ElapsedMs} ms")]
    private partial void LogRequestFailed(Exception exception, Uri url, long elapsedMs);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "Device {DeviceIdentifier} is Device/{ServerId} on the EHR")]
    private partial void LogDeviceResolved(string deviceIdentifier, string serverId);

    // Warning: the reasons are built to be free of patient identifiers and measured values.
    [LoggerMessage(EventId = 3010, Level = LogLevel.Debug, Message = "Delivery to the EHR will be retried: {Reason} (Retry-After {RetryAfterSeconds} s)")]
    private partial void LogRetryLater(string reason, double? retryAfterSeconds);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Debug, Message = "The EHR rejected a resource with HTTP {Status}: {Reason}")]
    private partial void LogRejected(int status, string reason);
}
