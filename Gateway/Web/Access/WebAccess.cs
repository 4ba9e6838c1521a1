using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Web.Access;

/// <summary>
/// Who may use the web pages. Listening on loopback only (the default), whoever can open a connection on this machine
/// may. Listening on any other address, every page and API needs the admin login (<c>admin set-password</c>), except
/// <c>/healthz/live</c> (a liveness probe) and the login page with its stylesheet; sessions are cookies (ASP.NET Core
/// cookie authentication) that expire <c>Web:SessionLifetime</c> after the login. Every form carries an anti-forgery
/// token (<see cref="Csrf"/>), and the start-up refuses a listener beyond loopback while no password is set.
/// </summary>
public static class WebAccess
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string SessionCookie = "vg-session";
    public const string CsrfCookie = "vg-csrf";
    public const string CsrfField = "__csrf";

    private static readonly string[] PublicPaths = ["/healthz/live", LoginPage.Path, PageLayout.StylePath, StatusStyles.Path];

    public static IServiceCollection AddWebAccess(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<WebAccessOptions>().Bind(configuration.GetSection(WebAccessOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebAccessOptions>, WebAccessOptionsValidator>());
        // A key ring that survives a restart (PrivateKeyRing): sessions and open forms outlive an update or a reboot.
        services.AddDataProtection().SetApplicationName("Vitals.Gateway");
        services.AddOptions<KeyManagementOptions>().Configure<IOptions<WebAccessOptions>, IOptions<StorageOptions>>((o, web, storage) =>
            o.XmlRepository = new PrivateKeyRing(KeysFolder(web.Value, storage.Value)));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = CsrfCookie;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = CsrfField;
            // SecurityHeaders sends X-Frame-Options DENY on every answer; antiforgery's SAMEORIGIN would weaken it.
            o.SuppressXFrameOptionsHeader = true;
        });
        services.AddAuthentication(Scheme).AddCookie(Scheme, _ => { });
        services.AddOptions<CookieAuthenticationOptions>(Scheme).Configure<IOptions<WebAccessOptions>, TimeProvider>((o, web, time) =>
        {
            o.Cookie.Name = SessionCookie;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = web.Value.SessionLifetime;
            // A session ends SessionLifetime after the login, however busy: a stolen cookie is not renewed by use.
            o.SlidingExpiration = false;
            o.LoginPath = LoginPage.Path;
            o.TimeProvider = time;
        });
        services.AddHostedService<AdminPasswordGuard>();
        services.AddTryLimits();
        return services;
    }

    /// <summary><c>Web:KeysPath</c>, or <c>web-keys</c> beside the SQLite store (PostgreSQL: <c>data/web-keys</c>).</summary>
    public static string KeysFolder(WebAccessOptions web, StorageOptions storage)
    {
        ArgumentNullException.ThrowIfNull(web);
        ArgumentNullException.ThrowIfNull(storage);
        if (!string.IsNullOrWhiteSpace(web.KeysPath)) return Path.GetFullPath(web.KeysPath);
        var store = storage.Provider == StorageProvider.Sqlite ? storage.Path : StorageOptions.DefaultPath;
        return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(store))!, "web-keys");
    }

    /// <summary>Authentication, then the gate: off loopback, an anonymous request gets the login page (GET) or 401.</summary>
    public static IApplicationBuilder UseWebAccess(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.ApplicationServices.GetRequiredService<IOptions<WebAccessOptions>>().Value;
        app.UseAuthentication();
        app.UseRateLimiter();
        if (!ListenerAddresses.NeedLogin(options.EffectiveUrls)) return app;
        WebLog.LoginRequired(app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebAccess).FullName!), options.EffectiveUrls);
        return app.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value ?? "/";
            if (context.User.Identity?.IsAuthenticated == true || PublicPaths.Contains(path, StringComparer.OrdinalIgnoreCase))
            {
                await next(context).ConfigureAwait(false);
                return;
            }
            if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            {
                context.Response.Redirect(LoginPage.Path + "?return=" + Uri.EscapeDataString(path + context.Request.QueryString));
                return;
            }
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        });
    }

    /// <summary>Signs the admin in for <c>Web:SessionLifetime</c>.</summary>
    internal static Task SignInAdminAsync(HttpContext context) =>
        context.SignInAsync(Scheme, new System.Security.Claims.ClaimsPrincipal(
            new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Name, "admin")], Scheme)));
}
