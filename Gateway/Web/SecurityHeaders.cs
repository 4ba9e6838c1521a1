using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Vitals.Gateway.Web;

/// <summary>
/// Headers on every response of the gateway's web host: the pages load nothing but their own stylesheet and run no
/// script (CSP Level 3 <c>default-src 'none'</c>), are never framed (CSP <c>frame-ancestors 'none'</c>, RFC 7034
/// X-Frame-Options for older browsers), are not sniffed into another type (Fetch standard, X-Content-Type-Options), and
/// leak no URL to another site (Referrer Policy <c>no-referrer</c>).
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The pairing pages (<c>/pair</c> and below) also run the gateway's own script file and listen to its event stream
    /// (CSP Level 3 <c>script-src 'self'</c>, <c>connect-src 'self'</c>); still no inline script.
    /// </summary>
    public const string PairingContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// As the outermost middleware (a startup filter registered first), so that even the host filter's 400 and the
    /// framework's own error answers carry the headers.
    /// </summary>
    public static IServiceCollection AddSecurityHeaders(this IServiceCollection services)
    {
        services.Insert(0, ServiceDescriptor.Transient<IStartupFilter, Filter>());
        return services;
    }

    private sealed class Filter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseSecurityHeaders();
            next(app);
        };
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/pair", StringComparison.Ordinal)
                ? PairingContentSecurityPolicy
                : ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        return next(context);
    });
}
