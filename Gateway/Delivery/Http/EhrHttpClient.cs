using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery.Auth;

namespace Vitals.Gateway.Delivery.Http;

/// <summary>
/// The one pooled HTTP connection set to the EHR (timeouts and connection limits from <c>Ehr</c>), shared by every
/// sender profile and the CapabilityStatement check. It authenticates each request (SMART: on 401 refresh once) and
/// classifies the answer: 2xx is success; network errors, timeouts, 408, 429, 5xx and a refused credential are
/// <see cref="DeliveryResult.RetryLater"/> (with Retry-After, or for a 429/503 without it the rate-limit fields,
/// <see cref="RateLimitHeader"/>); other 4xx are <see cref="DeliveryResult.Rejected"/> with
/// the server's OperationOutcome. Caller cancellation (shutdown) propagates as <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class EhrHttpClient : IDisposable
{
    public const string FhirJson = "application/fhir+json";

    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;
    private readonly long _maxResponseBytes;
    private readonly TimeProvider _time;
    private readonly IEhrAuthenticator _auth;
    private readonly ILogger _logger;

    /// <param name="logger">Events 3000, 3001, 3010 and 3011 (Debug).</param>
    public EhrHttpClient(IOptions<EhrOptions> options, IEhrAuthenticator authenticator, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(authenticator);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        var o = options.Value;
        BaseUri = o.BaseUri();
        _timeout = o.Timeout;
        _maxResponseBytes = o.MaxResponseBytes;
        _time = time;
        _auth = authenticator;
        _logger = logger;
        _http = CreateHttpClient(o);
    }

    /// <summary>The FHIR base with one trailing slash.</summary>
    private Uri BaseUri { get; }

    /// <summary>
    /// Sends one request. <paramref name="relative"/> resolves beneath the base ("" for the base itself, a transaction);
    /// <paramref name="what"/> names the request in reasons ("POST Observation"), which must stay free of PHI.
    /// </summary>
    public async Task<EhrResponse> SendAsync(
        HttpMethod method, string relative, string? json, string? ifNoneExist, string what, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(relative);
        // A transaction or batch is POST [base] (R4 3.1.0.11), without the trailing slash some servers route elsewhere.
        var uri = relative.Length == 0 ? new Uri(BaseUri.AbsoluteUri.TrimEnd('/')) : new Uri(BaseUri, relative);
        for (var attempt = 0; ; attempt++)
        {
            var authorization = await _auth.AuthorizeAsync(ct).ConfigureAwait(false);
            if (authorization.FailureReason is not null)
                return RetryLater($"no access token for {what}: {authorization.FailureReason}", null, json);
            var outcome = await SendOnceAsync(method, uri, json, ifNoneExist, what, authorization, attempt == 0 && _auth.CanRefresh, ct)
                .ConfigureAwait(false);
            if (outcome is not null)
                return outcome;
            _auth.Invalidate(authorization);
        }
    }

    /// <returns>The outcome, or null when the EHR refused a refreshable credential and the caller should try once more.</returns>
    private async Task<EhrResponse?> SendOnceAsync(
        HttpMethod method, Uri uri, string? json, string? ifNoneExist, string what, EhrAuthorization authorization, bool mayRefresh,
        CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, uri);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, FhirJson);
        if (ifNoneExist is not null)
            request.Headers.TryAddWithoutValidation("If-None-Exist", ifNoneExist);
        if (authorization.BearerToken is { } token)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var sent = json ?? "";
        var started = _time.GetTimestamp();
        // HttpClient.Timeout covers only up to the headers with ResponseHeadersRead; the body read shares this budget.
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(_timeout);
        HttpResponseMessage? response = null;
        BoundedBody body;
        try
        {
            // Headers first, then the body through a counting reader: a huge or gzip-bombed answer costs at most
            // Ehr:MaxResponseBytes of memory (the count is of decompressed bytes, as the handler hands them over).
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, budget.Token).ConfigureAwait(false);
            body = await BoundedBody.ReadAsync(response.Content, _maxResponseBytes, budget.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            response?.Dispose();
            throw;
        }
        catch (OperationCanceledException ex)
        {
            // Not the caller's token, so Ehr:Timeout expired.
            response?.Dispose();
            DeliveryLog.EhrRequestFailed(_logger, ex, method.Method, uri, ElapsedMs(started));
            return RetryLater($"no answer from the EHR within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s on {what}", null, sent,
                cause: RetryCause.TimedOut);
        }
        catch (HttpRequestException ex)
        {
            response?.Dispose();
            DeliveryLog.EhrRequestFailed(_logger, ex, method.Method, uri, ElapsedMs(started));
            return RetryLater(Describe(ex, what), null, sent);
        }
        catch (IOException ex)
        {
            response?.Dispose();
            DeliveryLog.EhrRequestFailed(_logger, ex, method.Method, uri, ElapsedMs(started));
            return RetryLater($"I/O error talking to the EHR on {what}", null, sent);
        }
        catch (InvalidDataException ex)
        {
            // A Content-Encoding the body does not decode under (corrupt gzip or brotli).
            response?.Dispose();
            DeliveryLog.EhrRequestFailed(_logger, ex, method.Method, uri, ElapsedMs(started));
            return RetryLater($"undecodable answer body from the EHR on {what}", null, sent);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            DeliveryLog.EhrResponded(_logger, method.Method, uri, ifNoneExist ?? "", status, ElapsedMs(started));

            if (status is >= 200 and <= 299)
            {
                if (body.Truncated)
                {
                    // A cut answer proves nothing (a transaction-response's later entries are lost); the resend is
                    // matched by its conditional create or the single-post search, so nothing is filed twice.
                    var tooLarge = new EhrResponse(status, "", null, null, sent, null) { MediaType = mediaType, What = what }
                        .Unexpected($"larger than Ehr:MaxResponseBytes ({_maxResponseBytes.ToString(CultureInfo.InvariantCulture)} bytes); not taken as delivered");
                    DeliveryLog.UnexpectedAnswer(_logger, tooLarge);
                    return RetryLater(tooLarge, null, sent, status);
                }
                return new EhrResponse(status, body.Text, response.Headers.Location, response.Content.Headers.ContentLocation, sent, null)
                {
                    MediaType = mediaType,
                    What = what,
                };
            }

            var text = body.Text;
            var retryAfter = RetryAfterHeader.ToDelay(response.Headers.RetryAfter, _time.GetUtcNow());
            // A throttling server that sends no Retry-After may say when its quota resets in rate-limit fields
            // (Medplum: 429 with only RateLimit); honoured the same way. Other statuses carry them only as news.
            if (retryAfter is null && status is 429 or 503)
                retryAfter = RateLimitHeader.ToDelay(response.Headers, _time.GetUtcNow());
            if (status is 408 or 429 or >= 500 and <= 599)
                return RetryLater($"HTTP {status} from the EHR on {what}", retryAfter, sent, status, text, RetryCauseOf(status, retryAfter));
            if (status == 401 && mayRefresh)
                return null;
            if (status == 401)
            {
                // Credentials are a property of the gateway, not of the payload: dead-lettering every reading until
                // an operator fixes Ehr:Auth would turn a configuration slip into a mass replay.
                return RetryLater($"HTTP 401 from the EHR on {what}: credentials refused (check Ehr:Auth)", retryAfter, sent, status, text, RetryCause.Configuration);
            }
            if (status is 403 or 404 or 405)
            {
                // Forbidden (a token without the write scope), not found or method not allowed (a wrong base path):
                // about the gateway's configuration, not one reading (RFC 9110 15.5.4, 15.5.5, 15.5.6). The readings wait.
                var issues = OperationOutcomeSummary.TrySummarise(text);
                return RetryLater($"HTTP {status} from the EHR on {what}: check Ehr:BaseUrl and Ehr:Auth" + (issues is null ? "" : " (" + issues + ")"),
                    retryAfter, sent, status, text, RetryCause.Configuration);
            }
            if (status == 413 || (status == 400 && RequestTooLarge.SaysSo(text)))
            {
                // RFC 9110 15.5.14 (Content Too Large), or a server that says it in an OperationOutcome (too many entries):
                // about the request's size, not its readings; a smaller one may pass.
                var issues = OperationOutcomeSummary.TrySummarise(text);
                return RetryLater($"HTTP {status} from the EHR on {what}: request too large" + (issues is null ? "" : ": " + issues),
                    retryAfter, sent, status, text, RetryCause.TooLarge);
            }
            if (status is >= 400 and <= 499)
            {
                var reason = new StringBuilder().Append("HTTP ").Append(status).Append(" from the EHR on ").Append(what);
                if (status == 412)
                    reason.Append(": several resources match the conditional create's identifier");
                var issues = OperationOutcomeSummary.TrySummarise(text);
                reason.Append(issues is null ? (status == 412 ? "" : " (no OperationOutcome)") : ": " + issues);
                var rejected = new DeliveryResult.Rejected(reason.ToString(), status, sent, text.Length == 0 ? null : text);
                DeliveryLog.EhrRejected(_logger, status, rejected.Reason);
                return new EhrResponse(status, text, null, null, sent, rejected) { MediaType = mediaType, What = what };
            }
            // 1xx/3xx: redirects are not followed (a POST must not silently become a GET); the base URL is likely wrong.
            return RetryLater($"unexpected HTTP {status} from the EHR on {what} (check Ehr:BaseUrl)", retryAfter, sent, status, text);
        }
    }

    private EhrResponse RetryLater(
        string reason, TimeSpan? retryAfter, string? request, int status = 0, string body = "", RetryCause cause = RetryCause.Unavailable)
    {
        DeliveryLog.EhrRetryLater(_logger, reason, retryAfter?.TotalSeconds);
        return new EhrResponse(status, body, null, null, request ?? "", new DeliveryResult.RetryLater(reason, retryAfter)
        {
            Cause = cause,
            HttpStatus = status,
            Request = request,
            Response = body.Length == 0 ? null : body,
        });
    }

    /// <summary>
    /// 429 and a 503 with Retry-After are the server asking for less (RFC 6585 4, RFC 9110 15.6.4); 408 is a slow
    /// exchange; 502-504 without Retry-After are an outage between here and the server; any other 5xx may be one
    /// request's content (a reading the server cannot process).
    /// </summary>
    private static RetryCause RetryCauseOf(int status, TimeSpan? retryAfter) => status switch
    {
        429 => RetryCause.Throttled,
        503 when retryAfter is not null => RetryCause.Throttled,
        408 => RetryCause.TimedOut,
        502 or 503 or 504 => RetryCause.Unavailable,
        _ => RetryCause.ServerError,
    };

    private string Describe(HttpRequestException ex, string what)
    {
        var target = $"{BaseUri.Host}:{BaseUri.Port}";
        var socketError = FindSocketError(ex);
        return ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => $"cannot resolve the EHR host {BaseUri.Host} on {what}",
            HttpRequestError.ConnectionError when socketError is SocketError.ConnectionRefused =>
                $"connection refused by the EHR at {target} on {what}",
            HttpRequestError.ConnectionError =>
                $"cannot connect to the EHR at {target} on {what} ({(socketError?.ToString() ?? "connection error")})",
            HttpRequestError.SecureConnectionError => $"TLS handshake with the EHR at {target} failed on {what}",
            _ => $"HTTP transport error with the EHR at {target} on {what} ({ex.HttpRequestError})",
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

    public void Dispose() => _http.Dispose();
}
