using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Ingest.Ble;

namespace Vitals.Gateway.Web.Health;

/// <summary>
/// <c>/healthz/live</c> (alias <c>/healthz</c>) and <c>/healthz/ready</c> with ASP.NET Core health checks. Each answers
/// JSON with every check's status and description (docs/operations.md); 200 when healthy or degraded, 503 otherwise.
/// </summary>
public static class HealthEndpoints
{
    public const string Live = "live";
    public const string Ready = "ready";

    public static IServiceCollection AddGatewayHealth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HealthOptions>().Bind(configuration.GetSection(HealthOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>());
        services.TryAddSingleton<EhrAnswerTracker>();
        services.TryAddSingleton<IEhrReadiness>(sp => sp.GetRequiredService<EhrAnswerTracker>());
        var checks = services.AddHealthChecks()
            .AddCheck<LoopsAliveHealthCheck>("loops", tags: [Live, Ready])
            .AddCheck<StoreWritableHealthCheck>("store", tags: [Ready])
            .AddCheck<BrokerHealthCheck>("broker", tags: [Ready])
            .AddCheck<EhrHealthCheck>("ehr", tags: [Ready])
            .AddCheck<OutboxAgeHealthCheck>("outbox", tags: [Ready]);
        if (configuration.GetValue<bool>($"{BleOptions.SectionName}:{nameof(BleOptions.Enabled)}"))
            checks.AddCheck<BlueZHealthCheck>("bluez", tags: [Ready]);
        return services;
    }

    public static IEndpointRouteBuilder MapGatewayHealth(this IEndpointRouteBuilder app)
    {
        // Built now, so that it hears the delivery loop's first answers, not only those after the first probe.
        _ = app.ServiceProvider.GetRequiredService<IEhrReadiness>();
        var live = Options(Live);
        app.MapHealthChecks("/healthz", live);
        app.MapHealthChecks("/healthz/live", live);
        app.MapHealthChecks("/healthz/ready", Options(Ready));
        return app;
    }

    private static HealthCheckOptions Options(string tag) => new()
    {
        Predicate = c => c.Tags.Contains(tag),
        ResponseWriter = WriteAsync,
        // A probe must never be answered from a cache between it and the gateway.
        AllowCachingResponses = false,
    };

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json), context.RequestAborted);
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
}
