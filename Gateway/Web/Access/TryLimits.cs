using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Vitals.Gateway.Web.Access;

/// <summary>
/// Guessing limits (ASP.NET Core rate limiting, fixed window per remote address): 10 password tries and 10 enrolment
/// code tries a minute. An online guess of a 37-bit code or a 12-character password then takes longer than either lives.
/// </summary>
public static class TryLimits
{
    public const string Login = "login-tries";
    public const string EnrolmentCode = "code-tries";
    public const int PerMinute = 10;

    public static IServiceCollection AddTryLimits(this IServiceCollection services) => services.AddRateLimiter(o =>
    {
        o.AddPolicy(Login, PerAddress);
        o.AddPolicy(EnrolmentCode, PerAddress);
        o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        o.OnRejected = async (context, ct) =>
        {
            var response = context.HttpContext.Response;
            response.ContentType = "text/html; charset=utf-8";
            response.Headers.RetryAfter = "60";
            await response.WriteAsync("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + $"<title>Too many tries – Vitals Gateway</title><link rel=\"stylesheet\" href=\"{PageLayout.StylePath}\"></head><body><main><h1>Too many tries</h1>"
                + "<p class=\"message\" role=\"alert\" id=\"problem\">Too many tries in a short time. Please wait a minute, then try again.</p></main></body></html>", ct).ConfigureAwait(false);
        };
    });

    private static RateLimitPartition<string> PerAddress(HttpContext context) =>
        RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = PerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
}
