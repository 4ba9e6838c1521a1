using System.Net;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Vitals.Gateway.Web;

/// <summary>
/// The frame of the pages people use (login, pairing): one column for a phone, large touch targets (WCAG 2.2 2.5.8,
/// at least 24 px; here 48 px), visible focus (2.4.7), text and control colours of at least 4.5:1 (1.4.3). The
/// stylesheet is a file of its own (<see cref="StylePath"/>) so that the Content-Security-Policy needs no inline style.
/// </summary>
internal static class PageLayout
{
    public const string StylePath = "/pair.css";
    public const string ScriptPath = "/pair.js";

    private const string Css = """
        *{box-sizing:border-box}
        body{font-family:system-ui,sans-serif;font-size:1.15rem;line-height:1.5;margin:0;padding:1rem;max-width:36rem;color:#1a1a1a;background:#fff}
        h1{font-size:1.6rem;margin:.5rem 0 1rem}
        h2{font-size:1.3rem;margin:1.5rem 0 .5rem}
        label{display:block;font-weight:600;margin:1rem 0 .3rem}
        input[type=text],input[type=password],input[type=number]{font-size:1.4rem;width:100%;min-height:3rem;padding:.4rem .6rem;border:2px solid #555;border-radius:.4rem}
        button,.button{display:block;width:100%;min-height:3rem;margin:1rem 0;padding:.6rem 1rem;font-size:1.2rem;font-weight:600;border-radius:.4rem;border:2px solid #0b4f8a;background:#0b4f8a;color:#fff;text-align:center;text-decoration:none;cursor:pointer}
        button.secondary,.button.secondary{background:#fff;color:#0b4f8a}
        :focus-visible{outline:3px solid #b35900;outline-offset:3px}
        .message{border-left:6px solid #b00020;background:#fdecee;padding:.6rem .8rem;margin:1rem 0}
        .ok{border-left:6px solid #1e6b2f;background:#e8f5ea;padding:.6rem .8rem;margin:1rem 0}
        .hint{color:#444;font-size:1rem}
        svg.qr{display:block;width:16rem;max-width:100%;height:auto}ul.devices{list-style:none;padding:0}ul.devices li{margin:.5rem 0}
        .chart svg{max-width:100%;height:auto}.grid{stroke:#ccc;stroke-width:1}.axis{font-size:11px;fill:#444}
        circle.value,.key.value::before{fill:#0b4f8a;background:#0b4f8a}path.value{stroke:#0b4f8a}path.line{fill:none;stroke-width:2}
        circle.lower,.key.lower::before{fill:#a34a00;background:#a34a00}path.lower{stroke:#a34a00}
        ul.readings{padding-left:1.2rem}ul.readings li{margin:.4rem 0}h3{font-size:1.1rem;margin:1.2rem 0 .4rem}
        .key::before{content:"";display:inline-block;width:.8em;height:.8em;margin-right:.3em}
        fieldset{border:2px solid #555;border-radius:.4rem;margin:1rem 0;padding:.2rem .8rem}legend{font-weight:600;padding:0 .3rem}
        fieldset label{font-weight:normal;margin:0;padding:.6rem 0;min-height:3rem}
        input[type=radio]{width:1.5rem;height:1.5rem;vertical-align:middle;margin:0 .6rem 0 0}
        nav form{display:inline}
        """;

    public static IEndpointRouteBuilder MapPageStyles(this IEndpointRouteBuilder app)
    {
        app.MapGet(StylePath, () => Results.Text(Css, "text/css; charset=utf-8"));
        return app;
    }

    /// <summary>A whole page: <paramref name="body"/> is trusted HTML (encode anything else with <see cref="E"/>).</summary>
    public static IResult Page(string title, string body, int status = StatusCodes.Status200OK, bool script = false)
    {
        var html = new StringBuilder(4096);
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(E(title)).Append(" – Vitals Gateway</title><link rel=\"stylesheet\" href=\"").Append(StylePath).Append("\">");
        if (script) html.Append("<script src=\"").Append(ScriptPath).Append("\" defer></script>");
        html.Append("</head><body><main><h1>").Append(E(title)).Append("</h1>").Append(body).Append("</main></body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    /// <summary>The hidden anti-forgery field for a form (ASP.NET Core antiforgery: cookie and field must match).</summary>
    public static string CsrfField(HttpContext context)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return $"<input type=\"hidden\" name=\"{E(tokens.FormFieldName)}\" value=\"{E(tokens.RequestToken ?? "")}\">";
    }

    /// <summary>A message box for a problem, announced by screen readers (WAI-ARIA role alert).</summary>
    public static string Problem(string text) => $"<p class=\"message\" role=\"alert\" id=\"problem\">{E(text)}</p>";

    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");
}
