using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Web.Access;

/// <summary>
/// Every form post is checked against ASP.NET Core antiforgery (the synchroniser token pattern, OWASP CSRF Prevention
/// Cheat Sheet): the hidden field must match the antiforgery cookie. A page of another site cannot read either.
/// </summary>
internal static class Csrf
{
    /// <summary>The posted form, or null when its token is missing or wrong (logged; the caller answers 400).</summary>
    public static async Task<IFormCollection?> ReadFormAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        if (context.Request.HasFormContentType && await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
            return await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Vitals.Gateway.Web.Access.Csrf");
        WebLog.CsrfRefused(logger, context.Request.Path.Value ?? "", context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        return null;
    }

    public static IResult Refused() => PageLayout.Page("This form has expired",
        PageLayout.Problem("For your safety this form could not be accepted. Go back, reload the page and try again.")
        + "<p><a class=\"button\" href=\"/pair\">Start again</a></p>", StatusCodes.Status400BadRequest);
}
