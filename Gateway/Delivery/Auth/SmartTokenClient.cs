using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Vitals.Gateway.Delivery.Auth;

/// <summary>
/// SMART Backend Services (SMART App Launch 2.x, "Backend Services"; RFC 7523 client assertion): gets an access token with client_credentials and a signed client
/// assertion, from the token endpoint configured or discovered in <c>{Ehr:BaseUrl}/.well-known/smart-configuration</c>,
/// keeps it until <see cref="EhrAuthOptions.RefreshBefore"/> ahead of its expiry, and fetches a new one once per
/// refused token. One token request at a time: parallel deliveries wait for it instead of each asking.
/// <para>The assertion, the token and the key are never logged; failures come back as reasons without them.</para>
/// </summary>
public sealed class SmartTokenClient : IEhrAuthenticator, IDisposable
{
    /// <summary>When the token endpoint does not say how long a token lives, assume the common five minutes.</summary>
    public static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromMinutes(5);

    /// <summary>
    /// After a failed refresh, while the old token is still valid, the next attempt waits this long: otherwise every
    /// request would ask the failing endpoint again.
    /// </summary>
    public static readonly TimeSpan RefreshRetryDelay = TimeSpan.FromSeconds(5);

    private const int MaxErrorTextLength = 200;

    private readonly EhrAuthOptions _options;
    private readonly Uri _discoveryUrl;
    private readonly bool _allowInsecureHttp;
    private readonly SigningKey _key;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger<SmartTokenClient> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private CachedToken? _current;
    private Uri? _tokenUrl;
    private long _attempts;
    private EhrAuthorization? _lastFailure;
    private DateTimeOffset _nextAttemptAt = DateTimeOffset.MinValue;

    /// <param name="ehr"><c>Ehr:Auth</c> (Mode SmartBackendServices), the base URL and the timeout; validated at start-up.</param>
    public SmartTokenClient(IOptions<EhrOptions> ehr, TimeProvider time, ILogger<SmartTokenClient> logger)
    {
        ArgumentNullException.ThrowIfNull(ehr);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _options = ehr.Value.Auth;
        // Settings that passed start-up validation load; a failure here means they were not validated (a bug).
        var problems = EhrAuthOptionsValidator.Check(_options);
        if (_options.Mode != EhrAuthMode.SmartBackendServices || problems.Count > 0)
            throw new ArgumentException("invalid SMART Backend Services settings: " + string.Join("; ", problems), nameof(ehr));
        if (!SigningKey.TryLoad(_options.PrivateKeyPath, _options.Algorithm, _options.KeyId, out var key, out var error))
            throw new ArgumentException("Ehr:Auth:PrivateKeyPath: " + error, nameof(ehr));
        _key = key;
        _time = time;
        _logger = logger;
        _discoveryUrl = new Uri(ehr.Value.BaseUri(), ".well-known/smart-configuration");
        _allowInsecureHttp = ehr.Value.AllowInsecureHttp;
        if (!string.IsNullOrEmpty(_options.TokenUrl))
            _tokenUrl = new Uri(_options.TokenUrl, UriKind.Absolute);
        _http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = ehr.Value.Timeout,
            AllowAutoRedirect = false,
        }, disposeHandler: true)
        {
            Timeout = ehr.Value.Timeout,
            // Discovery and token answers are small JSON; a larger one (a portal's page, a runaway server) fails the
            // request (HttpRequestException) instead of filling memory. No automatic decompression here to bound.
            MaxResponseContentBufferSize = ehr.Value.MaxResponseBytes,
        };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Vitals-Gateway", "1.0"));
        // Once at start-up: which registration the EHR must know (the kid is what `keys jwks` printed).
        DeliveryLog.SmartConfigured(_logger, _options.ClientId, KeyDescription);
    }

    /// <summary>The signing key's algorithm and kid, for the start-up log; no key material.</summary>
    public string KeyDescription => _key.ToString();

    public bool CanRefresh => true;

    public async ValueTask<EhrAuthorization> AuthorizeAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && _time.GetUtcNow() < current.RefreshAt)
            return current.Authorization;

        var attemptsSeen = Interlocked.Read(ref _attempts);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            current = _current;
            var now = _time.GetUtcNow();
            if (current is not null && now < current.RefreshAt)
                return current.Authorization;
            // Someone else's attempt failed while this caller waited: share its answer rather than hammer the endpoint.
            if (Interlocked.Read(ref _attempts) != attemptsSeen && _lastFailure is not null)
                return current is not null && now < current.ExpiresAt ? current.Authorization : _lastFailure;
            if (current is not null && now < current.ExpiresAt && now < _nextAttemptAt)
                return current.Authorization;

            Interlocked.Increment(ref _attempts);
            var fetched = await FetchAsync(cancellationToken).ConfigureAwait(false);
            if (fetched.Token is not null)
            {
                _lastFailure = null;
                Volatile.Write(ref _current, fetched.Token);
                return fetched.Token.Authorization;
            }
            _lastFailure = fetched.Failure!;
            _nextAttemptAt = now + RefreshRetryDelay;
            DeliveryLog.TokenFailed(_logger, fetched.Failure!.FailureReason!);
            // A token due for refresh is still good until it expires: keep delivering with it meanwhile.
            return current is not null && now < current.ExpiresAt ? current.Authorization : fetched.Failure!;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Invalidate(EhrAuthorization refused)
    {
        ArgumentNullException.ThrowIfNull(refused);
        var current = Volatile.Read(ref _current);
        if (current is not null && ReferenceEquals(current.Authorization, refused)
            && Interlocked.CompareExchange(ref _current, null, current) == current)
        {
            DeliveryLog.TokenRefused(_logger);
        }
    }

    private async Task<(CachedToken? Token, EhrAuthorization? Failure)> FetchAsync(CancellationToken ct)
    {
        var tokenUrl = _tokenUrl;
        if (tokenUrl is null)
        {
            var discovered = await DiscoverAsync(ct).ConfigureAwait(false);
            if (discovered.Url is null)
                return (null, EhrAuthorization.Failed(discovered.Failure!));
            tokenUrl = _tokenUrl = discovered.Url;
            DeliveryLog.TokenEndpointDiscovered(_logger, tokenUrl);
        }

        var requestedAt = _time.GetUtcNow();
        var assertion = ClientAssertion.Create(_key, _options.ClientId, tokenUrl.AbsoluteUri, requestedAt);
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenUrl)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["scope"] = _options.Scope,
                ["client_assertion_type"] = ClientAssertion.AssertionType,
                ["client_assertion"] = assertion,
            }),
        };
        var (status, body, failure) = await SendAsync(request, "token endpoint", tokenUrl, ct).ConfigureAwait(false);
        if (failure is not null)
            return (null, EhrAuthorization.Failed(failure));

        if (status is < 200 or > 299)
        {
            var reason = new StringBuilder()
                .Append("the token endpoint ").Append(tokenUrl.AbsoluteUri).Append(" answered HTTP ").Append(status);
            if (TryReadOAuthError(body, out var error, out var description))
            {
                reason.Append(' ').Append(error);
                if (description.Length > 0)
                    reason.Append(": ").Append(description);
            }
            if (status is >= 400 and <= 499)
                reason.Append(" (check Ehr:Auth:ClientId, Ehr:Auth:KeyId and that the public key is registered with the EHR)");
            return (null, EhrAuthorization.Failed(reason.ToString()));
        }

        string? token = null;
        string? tokenType = null;
        double? expiresIn = null;
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("access_token", out var t) && t.ValueKind == JsonValueKind.String)
                    token = t.GetString();
                if (root.TryGetProperty("token_type", out var tt) && tt.ValueKind == JsonValueKind.String)
                    tokenType = tt.GetString();
                if (root.TryGetProperty("expires_in", out var e) && e.ValueKind == JsonValueKind.Number)
                    expiresIn = e.GetDouble();
            }
        }
        catch (JsonException)
        {
            return (null, EhrAuthorization.Failed($"the token endpoint {tokenUrl.AbsoluteUri} answered HTTP {status} without a JSON body"));
        }
        if (string.IsNullOrEmpty(token) || token.Any(c => char.IsControl(c) || c == ' '))
            return (null, EhrAuthorization.Failed($"the token endpoint {tokenUrl.AbsoluteUri} answered HTTP {status} without a usable access_token"));
        if (!string.Equals(tokenType, "bearer", StringComparison.OrdinalIgnoreCase))
            return (null, EhrAuthorization.Failed($"the token endpoint {tokenUrl.AbsoluteUri} issued a token of type '{Clean(tokenType ?? "(none)")}', not Bearer"));

        var lifetime = expiresIn is > 0 and < 31_536_000 ? TimeSpan.FromSeconds(expiresIn.Value) : DefaultTokenLifetime;
        // A token shorter-lived than RefreshBefore would be due at once: use it for half its life instead.
        var margin = _options.RefreshBefore < lifetime / 2 ? _options.RefreshBefore : lifetime / 2;
        var expiresAt = requestedAt + lifetime;
        DeliveryLog.TokenObtained(_logger, tokenUrl, (long)lifetime.TotalSeconds);
        return (new CachedToken(EhrAuthorization.Bearer(token), expiresAt - margin, expiresAt), null);
    }

    private async Task<(Uri? Url, string? Failure)> DiscoverAsync(CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _discoveryUrl);
        var (status, body, failure) = await SendAsync(request, "SMART configuration", _discoveryUrl, ct).ConfigureAwait(false);
        if (failure is not null)
            return (null, failure + " (or set Ehr:Auth:TokenUrl)");
        if (status != 200)
            return (null, $"SMART discovery {_discoveryUrl.AbsoluteUri} answered HTTP {status}; set Ehr:Auth:TokenUrl");
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("token_endpoint", out var endpoint)
                && endpoint.ValueKind == JsonValueKind.String
                && Uri.TryCreate(endpoint.GetString(), UriKind.Absolute, out var url)
                && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp))
            {
                // The client assertion and the token travel there: the same https rule as Ehr:BaseUrl and Ehr:Auth:TokenUrl.
                return EhrOptionsValidator.IsInsecure(url, _allowInsecureHttp)
                    ? (null, $"SMART discovery {_discoveryUrl.AbsoluteUri} names a plain http token_endpoint on a host other than loopback; set Ehr:AllowInsecureHttp to true to allow it")
                    : (url, null);
            }
        }
        catch (JsonException)
        {
            return (null, $"SMART discovery {_discoveryUrl.AbsoluteUri} is not JSON; set Ehr:Auth:TokenUrl");
        }
        return (null, $"SMART discovery {_discoveryUrl.AbsoluteUri} names no absolute http(s) token_endpoint; set Ehr:Auth:TokenUrl");
    }

    private async Task<(int Status, string Body, string? Failure)> SendAsync(HttpRequestMessage request, string what, Uri url, CancellationToken ct)
    {
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            return ((int)response.StatusCode, body, null);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return (0, "", $"no answer from the {what} {url.AbsoluteUri} within {_http.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }
        catch (HttpRequestException ex)
        {
            var refused = ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused };
            return (0, "", refused
                ? $"connection refused by the {what} {url.AbsoluteUri}"
                : $"cannot reach the {what} {url.AbsoluteUri} ({ex.HttpRequestError})");
        }
        catch (IOException)
        {
            return (0, "", $"I/O error talking to the {what} {url.AbsoluteUri}");
        }
    }

    /// <summary>RFC 6749 5.2 error and error_description, cleaned and shortened for a log line.</summary>
    private static bool TryReadOAuthError(string body, out string error, out string description)
    {
        error = "";
        description = "";
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object
                || !json.RootElement.TryGetProperty("error", out var e) || e.ValueKind != JsonValueKind.String)
            {
                return false;
            }
            error = Clean(e.GetString() ?? "");
            if (json.RootElement.TryGetProperty("error_description", out var d) && d.ValueKind == JsonValueKind.String)
                description = Clean(d.GetString() ?? "");
            return error.Length > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Clean(string text)
    {
        var cleaned = new string([.. text.Where(c => !char.IsControl(c))]);
        return cleaned.Length <= MaxErrorTextLength ? cleaned : cleaned[..MaxErrorTextLength] + "...";
    }

    public void Dispose()
    {
        _http.Dispose();
        _key.Dispose();
        _gate.Dispose();
    }

    private sealed record CachedToken(EhrAuthorization Authorization, DateTimeOffset RefreshAt, DateTimeOffset ExpiresAt);
}
