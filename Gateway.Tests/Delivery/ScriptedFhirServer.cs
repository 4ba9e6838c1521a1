using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Tests.Delivery;

/// <summary>What the scripted endpoint saw of one request.</summary>
internal sealed record RecordedRequest(
    string Method, string Path, string? IfNoneExist, string? ContentType, string? Accept, string? Authorization, string Body, string Query = "")
{
    public string ResourceType => Path.Split('/', StringSplitOptions.RemoveEmptyEntries).Last();
}

/// <summary>One scripted answer. <see cref="Delay"/> = <see cref="Timeout.InfiniteTimeSpan"/> never answers.</summary>
internal sealed record ScriptedResponse(
    int Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default)
{
    /// <summary>Bytes sent as they are (after <see cref="Body"/>, if any): a gzip bomb with its Content-Encoding header.</summary>
    public byte[]? RawBody { get; init; }

    /// <summary>A 2xx with a body of another media type: a proxy's or single-sign-on portal's HTML page.</summary>
    public static ScriptedResponse Html(int status = 200) =>
        new(status, "<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>Single sign-on</form></body></html>",
            new Dictionary<string, string> { ["Content-Type"] = "text/html; charset=utf-8" });

    public static ScriptedResponse Created(string location) =>
        new(201, Headers: new Dictionary<string, string> { ["Location"] = location });

    public static ScriptedResponse Json(int status, string body) => new(status, body);

    public static ScriptedResponse WithRetryAfter(int status, string retryAfter) =>
        new(status, Headers: new Dictionary<string, string> { ["Retry-After"] = retryAfter });

    public static ScriptedResponse Hang() => new(200, Delay: Timeout.InfiniteTimeSpan);
}

/// <summary>
/// A FHIR endpoint on 127.0.0.1 (Kestrel, port 0) that records every request and answers from a script, so the
/// sender is exercised over real HTTP: headers, status codes, bodies, timeouts and aborted connections.
/// </summary>
internal sealed class ScriptedFhirServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<RecordedRequest> _requests = [];
    private readonly Lock _gate = new();

    private ScriptedFhirServer(WebApplication app, Func<RecordedRequest, ScriptedResponse> respond)
    {
        _app = app;
        Respond = respond;
    }

    /// <summary>The FHIR base, with a path like a real server's (<c>http://127.0.0.1:port/fhir/R4</c>).</summary>
    public string BaseUrl { get; private set; } = "";

    public Func<RecordedRequest, ScriptedResponse> Respond { get; set; }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get { lock (_gate) return [.. _requests]; }
    }

    public IReadOnlyList<RecordedRequest> RequestsFor(string resourceType) =>
        Requests.Where(r => r.ResourceType == resourceType).ToList();

    public static async Task<ScriptedFhirServer> StartAsync(Func<RecordedRequest, ScriptedResponse>? respond = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var app = builder.Build();
        var server = new ScriptedFhirServer(app, respond ?? ConditionalCreateServer());
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.Single();
        server.BaseUrl = address.TrimEnd('/') + "/fhir/R4";
        return server;
    }

    /// <summary>
    /// Answers like a FHIR server doing conditional creates: a new identifier gets 201 with only a Location
    /// (Oracle Health style), a known one gets 200 with the existing resource.
    /// </summary>
    public static Func<RecordedRequest, ScriptedResponse> ConditionalCreateServer()
    {
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        var gate = new Lock();
        var next = 0;
        return request =>
        {
            var type = request.ResourceType;
            var key = type + "?" + request.IfNoneExist;
            lock (gate)
            {
                if (known.TryGetValue(key, out var existing))
                    return ScriptedResponse.Json(200, $$"""{"resourceType":"{{type}}","id":"{{existing}}"}""");
                var id = $"{type.ToLowerInvariant()}-{++next}";
                known[key] = id;
                return ScriptedResponse.Created($"/fhir/R4/{type}/{id}/_history/1");
            }
        };
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers;
        var recorded = new RecordedRequest(
            context.Request.Method, context.Request.Path.Value ?? "",
            headers.TryGetValue("If-None-Exist", out var ine) ? ine.ToString() : null,
            context.Request.ContentType, headers.Accept.ToString(), headers.Authorization.ToString(), body,
            context.Request.QueryString.Value ?? "");
        lock (_gate)
            _requests.Add(recorded);

        var response = Respond(recorded);
        if (response.Delay != TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(response.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up (timeout or cancellation)
            }
        }
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
            context.Response.Headers[name] = value;
        if (response.Body is not null || response.RawBody is not null)
            context.Response.ContentType ??= "application/fhir+json";
        if (response.Body is not null)
            await context.Response.WriteAsync(response.Body, context.RequestAborted);
        if (response.RawBody is not null)
        {
            try
            {
                await context.Response.Body.WriteAsync(response.RawBody, context.RequestAborted);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                // The client stopped reading (a body over its limit): expected.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
