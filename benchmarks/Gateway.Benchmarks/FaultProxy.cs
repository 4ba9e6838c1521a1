using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Benchmarks;

/// <summary>
/// A small HTTP proxy on 127.0.0.1 in front of the sandbox EHR, in this process, so the delivery benchmarks do not
/// depend on the sandbox's own fault switches: it adds latency to every request and answers every n-th write
/// (POST) itself with 429 and <c>Retry-After</c>, without forwarding it. Everything else is forwarded as it is.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private static readonly string[] RequestHeaders = ["Accept", "If-None-Exist", "Authorization"];
    private static readonly string[] ResponseHeaders = ["Location", "Content-Location", "ETag", "Last-Modified"];
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly string _target;
    private long _writes;
    private long _throttled;

    private FaultProxy(WebApplication app, string target)
    {
        _app = app;
        _target = target.TrimEnd('/');
        _upstream = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, AllowAutoRedirect = false, UseCookies = false });
    }

    /// <summary>The proxy's address with the upstream's path (e.g. http://127.0.0.1:port/fhir/R4).</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>Every n-th POST is answered 429 (0: none).</summary>
    public int ThrottleEvery { get; set; }

    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>Added before each request is forwarded.</summary>
    public TimeSpan Latency { get; set; }

    public long Throttled => Interlocked.Read(ref _throttled);

    /// <summary>Cancelled when the host stops: its console lifetime turns SIGTERM and Ctrl-C into a stop.</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    /// <param name="port">the loopback port to listen on; 0: one the system picks</param>
    public static async Task<FaultProxy> StartAsync(string upstreamBase, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var proxy = new FaultProxy(app, new Uri(upstreamBase).GetLeftPart(UriPartial.Authority));
        app.Run(proxy.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        proxy.BaseUrl = address.TrimEnd('/') + new Uri(upstreamBase).AbsolutePath.TrimEnd('/');
        return proxy;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (Latency > TimeSpan.Zero)
            await Task.Delay(Latency, context.RequestAborted);
        if (request.Method == "POST" && ThrottleEvery > 0 && Interlocked.Increment(ref _writes) % ThrottleEvery == 0)
        {
            Interlocked.Increment(ref _throttled);
            context.Response.StatusCode = 429;
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return;
        }
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), _target + request.Path + request.QueryString);
        if (request.ContentLength is > 0 || request.Headers.ContainsKey("Transfer-Encoding"))
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, context.RequestAborted);
            forward.Content = new ByteArrayContent(body.ToArray());
            if (request.ContentType is { } type)
                forward.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        }
        foreach (var name in RequestHeaders)
        {
            if (request.Headers.TryGetValue(name, out var value))
                forward.Headers.TryAddWithoutValidation(name, value.ToString());
        }
        HttpResponseMessage answer;
        try
        {
            answer = await _upstream.SendAsync(forward, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return; // the client gave up (its timeout)
        }
        using (answer)
        {
            context.Response.StatusCode = (int)answer.StatusCode;
            foreach (var name in ResponseHeaders)
            {
                if (answer.Headers.TryGetValues(name, out var values) || answer.Content.Headers.TryGetValues(name, out values))
                    context.Response.Headers[name] = values.ToArray();
            }
            if (answer.Headers.RetryAfter is { } retryAfter)
                context.Response.Headers.RetryAfter = retryAfter.ToString();
            if (answer.Content.Headers.ContentType is { } contentType)
                context.Response.ContentType = contentType.ToString();
            try
            {
                await answer.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                // The client gave up while the answer was on its way.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _upstream.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
