using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serilog;
using Vitals.Gateway.Cli;
using Vitals.Gateway.Web;
using Vitals.Gateway.Web.Access;
using Vitals.Gateway.Web.Health;
using Vitals.Gateway.Web.Pairing;

namespace Vitals.Gateway;

/// <summary>The <c>run</c> verb: worker, web page and (by default) the embedded broker in one process.</summary>
public static class GatewayHost
{
    /// <summary>
    /// Builds the whole gateway. <paramref name="overrides"/> (tests) are applied last, above environment variables
    /// and arguments; <paramref name="configureServices"/> (tests) runs after every registration.
    /// </summary>
    public static WebApplication Build(string[] args, IReadOnlyDictionary<string, string?>? overrides = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // appsettings.json ships beside the binary, or lives where VITALS_GATEWAY_CONFIG_DIR says (the .deb: /etc);
            // the working directory stays the user's (a relative Storage:Path is relative to it).
            ContentRootPath = GatewayCommandLine.ConfigurationFolder,
        });
        // Under systemd (Type=notify): READY=1 once every hosted service has started, STOPPING=1 on SIGTERM, and the
        // host's lifetime bound to the unit's. Outside systemd it does nothing.
        builder.Services.AddSystemd();
        if (overrides is not null) builder.Configuration.AddInMemoryCollection(overrides);
        builder.Services.AddSerilog((services, log) => log
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            .WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture));
        var urls = builder.Configuration["Web:Urls"] is { Length: > 0 } configured ? configured : WebAccessOptions.DefaultUrls;
        builder.WebHost.UseUrls(urls);
        // AllowedHosts as configured, else the loopback names (and, off loopback, the listener's and this machine's
        // names): the framework's host filter answers 400 to any other Host header (DNS rebinding).
        builder.Services.Configure<HostFilteringOptions>(o => o.AllowedHosts = [.. AllowedHostsDefault.Resolve(builder.Configuration, urls)]);
        builder.Services.AddSecurityHeaders();
        builder.Services.AddGatewayCore(builder.Configuration);
        builder.Services.AddGatewayWorker(builder.Configuration);
        builder.Services.AddGatewayHealth(builder.Configuration);
        builder.Services.AddGatewayMetricsExport(builder.Configuration);
        // After the worker: its store initialiser runs before the guard that refuses a non-loopback listener without a password.
        builder.Services.AddWebAccess(builder.Configuration);
        builder.Services.AddPairingPage();
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseWebAccess();
        app.MapPageStyles();
        app.MapLoginPage();
        app.MapPairingPage();
        app.MapGatewayHealth();
        app.MapGatewayMetrics();
        app.MapStatusApi();
        app.MapStatusPage();
        return app;
    }

    internal static async Task<int> RunAsync(string[] args)
    {
        try
        {
            await using var app = Build(args);
            // The ValidateOnStart checks, before the host starts, so a bad key gives one clear line and no stack trace.
            app.Services.GetRequiredService<IStartupValidator>().Validate();
            await app.RunAsync().ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ConfigurationFailures(ex) is { Count: > 0 } failures)
        {
            // ValidateOnStart: the host refuses to start, and each message names its key.
            await Console.Error.WriteLineAsync($"error: invalid configuration: {string.Join("; ", failures)}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
    }

    private static List<string> ConfigurationFailures(Exception ex) => ex switch
    {
        OptionsValidationException o => [.. o.Failures],
        AggregateException a => [.. a.InnerExceptions.SelectMany(ConfigurationFailures)],
        _ => [],
    };
}
