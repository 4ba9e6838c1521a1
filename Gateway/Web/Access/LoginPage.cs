using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vitals.Gateway.Storage;
using static Vitals.Gateway.Web.PageLayout;

namespace Vitals.Gateway.Web.Access;

/// <summary><c>/login</c> and <c>/logout</c>: the admin password form (needed only when the pages listen beyond loopback).</summary>
internal static class LoginPage
{
    public const string Path = "/login";

    public static IEndpointRouteBuilder MapLoginPage(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, (HttpContext context) => Form(context, Return(context.Request.Query["return"]), null));
        app.MapPost(Path, async (HttpContext context) =>
        {
            if (await Csrf.ReadFormAsync(context) is not { } form) return Csrf.Refused();
            var target = Return(form["return"]);
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LoginPage).FullName!);
            var remote = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            var stored = await context.RequestServices.GetRequiredService<IAdminPassword>().GetHashAsync(context.RequestAborted);
            if (!AdminPasswordHash.Verify(form["password"].ToString(), stored))
            {
                WebLog.LoginFailed(logger, remote);
                return Form(context, target, "That password is not right. Try again.", StatusCodes.Status401Unauthorized);
            }
            await WebAccess.SignInAdminAsync(context);
            WebLog.LoginSucceeded(logger, remote);
            return Results.Redirect(target);
        }).RequireRateLimiting(TryLimits.Login);
        app.MapPost("/logout", async (HttpContext context) =>
        {
            if (await Csrf.ReadFormAsync(context) is null) return Csrf.Refused();
            await context.SignOutAsync(WebAccess.Scheme);
            return Results.Redirect(Path);
        });
        return app;
    }

    private static IResult Form(HttpContext context, string target, string? problem, int status = StatusCodes.Status200OK) =>
        Page("Log in", (problem is null ? "" : Problem(problem)) + $"""
            <form method="post" action="{Path}">{CsrfField(context)}
            <input type="hidden" name="return" value="{E(target)}">
            <label for="password">Admin password</label>
            <input type="password" id="password" name="password" autocomplete="current-password" required autofocus>
            <button type="submit">Log in</button></form>
            <p class="hint">The clinic or the person who set up this gateway has the password.</p>
            """, status);

    /// <summary>Only a local path (one leading '/', not '//' or '/\'): never an open redirect to another site.</summary>
    private static string Return(string? target) =>
        target is { Length: > 0 } t && t[0] == '/' && (t.Length == 1 || (t[1] != '/' && t[1] != '\\')) ? t : "/";
}
