using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Tests.Delivery.Auth;

/// <summary>
/// A SMART Backend Services authorization server on 127.0.0.1 (Kestrel, port 0): <c>POST /token</c> verifies the
/// client assertion as a real one must (signature with the client's registered JWKS, alg, kid, iss = sub = client id,
/// aud = this token URL, exp in the future and at most 5 minutes ahead, jti never seen before) and issues short-lived
/// opaque tokens; <c>POST /introspect</c> (RFC 7662) says whether a token is active, for the sandbox EHR.
/// </summary>
internal sealed class TestOAuthServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, JwksVerifier> _clients = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seenJti = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);
    private readonly List<string> _issued = [];
    private readonly List<string> _assertions = [];
    private readonly List<string> _errors = [];
    private int _tokenRequests;

    private TestOAuthServer(WebApplication app, TimeProvider time)
    {
        _app = app;
        _time = time;
    }

    public string BaseUrl { get; private set; } = "";
    public string TokenUrl => BaseUrl + "/token";
    public string IntrospectUrl => BaseUrl + "/introspect";

    /// <summary>expires_in of issued tokens.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    /// <summary>Every access token issued so far (to check they never reach a log).</summary>
    public IReadOnlyList<string> IssuedTokens { get { lock (_gate) return [.. _issued]; } }

    /// <summary>Every client assertion received (to replay one, and to check they never reach a log).</summary>
    public IReadOnlyList<string> Assertions { get { lock (_gate) return [.. _assertions]; } }

    /// <summary>Why token requests were refused, in order.</summary>
    public IReadOnlyList<string> Errors { get { lock (_gate) return [.. _errors]; } }

    public static async Task<TestOAuthServer> StartAsync(TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var app = builder.Build();
        var server = new TestOAuthServer(app, time ?? TimeProvider.System);
        app.MapPost("/token", server.TokenAsync);
        app.MapPost("/introspect", server.IntrospectAsync);
        await app.StartAsync();
        server.BaseUrl = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.Single().TrimEnd('/');
        return server;
    }

    /// <summary>Registers a client with its public JWKS (what an operator uploads to the EHR).</summary>
    public void Register(string clientId, string jwks)
    {
        lock (_gate)
            _clients[clientId] = new JwksVerifier(jwks);
    }

    /// <summary>Every issued token stops being active (as after a key rotation or a revocation on the EHR side).</summary>
    public void RevokeAll()
    {
        lock (_gate)
            _tokens.Clear();
    }

    public bool IsActive(string? token)
    {
        lock (_gate)
            return token is not null && _tokens.TryGetValue(token, out var expires) && _time.GetUtcNow() < expires;
    }

    /// <summary>A FHIR answer for the scripted server: the request's bearer token must be active, else 401.</summary>
    public ScriptedResponse? RefuseUnlessAuthorized(RecordedRequest request) =>
        request.Authorization is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal) && IsActive(header["Bearer ".Length..])
            ? null
            : new ScriptedResponse(401, Headers: new Dictionary<string, string> { ["WWW-Authenticate"] = "Bearer error=\"invalid_token\"" });

    private async Task TokenAsync(HttpContext context)
    {
        Interlocked.Increment(ref _tokenRequests);
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var assertion = form["client_assertion"].ToString();
        lock (_gate)
            _assertions.Add(assertion);

        var (status, error, description) = Verify(form["grant_type"], form["client_assertion_type"], assertion, form["scope"]);
        if (error is not null)
        {
            lock (_gate)
                _errors.Add($"{error}: {description}");
            await WriteJsonAsync(context, status, new Dictionary<string, object> { ["error"] = error, ["error_description"] = description! });
            return;
        }
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));
        lock (_gate)
        {
            _tokens[token] = _time.GetUtcNow() + TokenLifetime;
            _issued.Add(token);
        }
        await WriteJsonAsync(context, 200, new Dictionary<string, object>
        {
            ["access_token"] = token,
            ["token_type"] = "bearer",
            ["expires_in"] = (int)TokenLifetime.TotalSeconds,
            ["scope"] = form["scope"].ToString(),
        });
    }

    private (int Status, string? Error, string? Description) Verify(string? grantType, string? assertionType, string assertion, string? scope)
    {
        if (grantType != "client_credentials")
            return (400, "unsupported_grant_type", $"grant_type '{grantType}'");
        if (assertionType != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
            return (400, "invalid_request", $"client_assertion_type '{assertionType}'");
        if (string.IsNullOrEmpty(scope))
            return (400, "invalid_scope", "no scope");

        var parts = assertion.Split('.');
        if (parts.Length != 3)
            return (401, "invalid_client", "client_assertion is not a compact JWS");
        JsonElement claims;
        try
        {
            claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement.Clone();
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return (401, "invalid_client", "claims are not base64url JSON");
        }
        string? Claim(string name) => claims.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var iss = Claim("iss");
        JwksVerifier? verifier;
        lock (_gate)
            _clients.TryGetValue(iss ?? "", out verifier);
        if (verifier is null)
            return (401, "invalid_client", $"unknown client '{iss}'");
        if (Claim("sub") != iss)
            return (401, "invalid_client", "sub must equal iss");
        var why = verifier.Check(assertion, out var header, out _);
        if (why is not null)
            return (401, "invalid_client", why);
        if (header.TryGetProperty("typ", out var typ) && typ.GetString() != "JWT")
            return (401, "invalid_client", "typ must be JWT");
        if (Claim("aud") != TokenUrl)
            return (401, "invalid_client", $"aud '{Claim("aud")}' is not {TokenUrl}");
        if (!claims.TryGetProperty("exp", out var expElement) || !expElement.TryGetInt64(out var exp))
            return (401, "invalid_client", "no exp");
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (exp <= now)
            return (401, "invalid_client", "the assertion has expired");
        if (exp > now + 300)
            return (401, "invalid_client", "exp is more than 5 minutes ahead");
        var jti = Claim("jti");
        if (string.IsNullOrEmpty(jti))
            return (401, "invalid_client", "no jti");
        lock (_gate)
        {
            if (!_seenJti.Add(jti))
                return (400, "invalid_grant", "jti already used (replay)");
        }
        return (200, null, null);
    }

    private async Task IntrospectAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var token = form["token"].ToString();
        DateTimeOffset expires;
        bool active;
        lock (_gate)
            active = _tokens.TryGetValue(token, out expires) && _time.GetUtcNow() < expires;
        await WriteJsonAsync(context, 200, active
            ? new Dictionary<string, object> { ["active"] = true, ["exp"] = expires.ToUnixTimeSeconds() }
            : new Dictionary<string, object> { ["active"] = false });
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, Dictionary<string, object> body)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsJsonAsync(body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
