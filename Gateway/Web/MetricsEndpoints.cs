using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Vitals.Gateway.Web;

/// <summary>
/// OpenTelemetry metrics of the gateway's meter (<see cref="GatewayMetrics"/>, <see cref="GatewayGauges"/>): Prometheus
/// text exposition on <c>/metrics</c>, and OTLP push when <c>Metrics:Otlp:Endpoint</c> is set.
/// </summary>
public static class MetricsEndpoints
{
    /// <summary>The meter the .NET runtime publishes its own metrics on (docs/operations.md, "Metrics").</summary>
    public const string RuntimeMeterName = "System.Runtime";

    public static IServiceCollection AddGatewayMetricsExport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection(MetricsOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidator>());
        services.TryAddSingleton<OutboxStatusCache>();
        services.TryAddSingleton<GatewayGauges>();

        var otlp = configuration.GetSection(MetricsOptions.SectionName).Get<MetricsOptions>()?.Otlp ?? new OtlpMetricsOptions();
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("vitals-gateway"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(GatewayMetrics.MeterName);
                // The runtime's own instruments (.NET 9 and later): working set, GC heap by generation, collections and
                // pauses, JIT, thread pool. What an operator needs to tell a leak from a busy heap, with no extra package.
                metrics.AddMeter(RuntimeMeterName);
                metrics.AddPrometheusExporter();
                if (!string.IsNullOrWhiteSpace(otlp.Endpoint) && Uri.TryCreate(otlp.Endpoint, UriKind.Absolute, out var endpoint))
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        exporter.Endpoint = endpoint;
                        exporter.Protocol = otlp.Protocol == "Grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)otlp.Interval.TotalMilliseconds;
                    });
                }
            });
        return services;
    }

    public static IEndpointRouteBuilder MapGatewayMetrics(this IEndpointRouteBuilder app)
    {
        // The gauges register their callbacks when built.
        _ = app.ServiceProvider.GetRequiredService<GatewayGauges>();
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
