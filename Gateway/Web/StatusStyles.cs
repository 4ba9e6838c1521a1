using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Vitals.Gateway.Web;

/// <summary>
/// The status page's stylesheet, served as a file of its own (<c>/status.css</c>) so that the Content-Security-Policy
/// needs no 'unsafe-inline' (<see cref="SecurityHeaders"/>). Colours meet WCAG 2.2 1.4.11 (3:1 against white).
/// </summary>
internal static class StatusStyles
{
    public const string Path = "/status.css";

    private const string Css = """
        body{font-family:system-ui,sans-serif;margin:2rem;max-width:64rem;color:#1a1a1a}
        td,th{padding:.2rem .8rem;text-align:left;vertical-align:top}
        .n{text-align:right;font-variant-numeric:tabular-nums}
        .Healthy{color:#1e6b2f}.Degraded{color:#8a5a00}.Unhealthy{color:#b00020;font-weight:bold}
        .chart{margin:1rem 0}.chart svg{max-width:100%;height:auto}
        .grid{stroke:#ccc;stroke-width:1}.axis{font-size:11px;fill:#444}
        rect.received,circle.received,.key.received::before{fill:#1f5fa8;background:#1f5fa8}
        rect.delivered,circle.delivered,.key.delivered::before{fill:#1e7b34;background:#1e7b34}
        rect.rejected,circle.rejected,.key.rejected::before{fill:#b00020;background:#b00020}
        circle.p50,.key.p50::before{fill:#1f5fa8;background:#1f5fa8}path.p50{stroke:#1f5fa8}
        circle.p95,.key.p95::before{fill:#8a5a00;background:#8a5a00}path.p95{stroke:#8a5a00}
        circle.p99,.key.p99::before{fill:#b00020;background:#b00020}path.p99{stroke:#b00020}
        path.line{fill:none;stroke-width:2}
        .key::before{content:"";display:inline-block;width:.8em;height:.8em;margin-right:.3em}
        .key{margin-right:1rem}
        """;

    public static IEndpointRouteBuilder MapStatusStyles(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, () => Results.Text(Css, "text/css; charset=utf-8"));
        return app;
    }
}
