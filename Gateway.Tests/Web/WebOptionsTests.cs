using Microsoft.Extensions.Diagnostics.HealthChecks;
using Vitals.Gateway.Ingest.Ble;
using Vitals.Gateway.Web;
using Vitals.Gateway.Web.Health;

namespace Vitals.Gateway.Tests.Web;

/// <summary>Health:* and Metrics:* validation (each message names its key), and the BlueZ readiness check.</summary>
public sealed class WebOptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        Assert.True(new HealthOptionsValidator().Validate(null, new HealthOptions()).Succeeded);
        Assert.True(new MetricsOptionsValidator().Validate(null, new MetricsOptions()).Succeeded);
        Assert.Equal(TimeSpan.FromMinutes(15), new HealthOptions().MaxOutboxAge);
    }

    [Fact]
    public void Each_bad_value_is_reported_with_its_key()
    {
        var health = new HealthOptionsValidator().Validate(null, new HealthOptions { MaxOutboxAge = TimeSpan.Zero, StoreProbeTimeout = TimeSpan.FromHours(1) });
        var metrics = new MetricsOptionsValidator().Validate(null, new MetricsOptions
        {
            OutboxRefresh = TimeSpan.Zero,
            Otlp = new OtlpMetricsOptions { Endpoint = "collector:4317", Protocol = "udp", Interval = TimeSpan.Zero },
        });

        Assert.Equal(["Health:MaxOutboxAge", "Health:StoreProbeTimeout"], health.Failures!.Select(Key));
        Assert.Equal(["Metrics:OutboxRefresh", "Metrics:Otlp:Endpoint", "Metrics:Otlp:Protocol", "Metrics:Otlp:Interval"], metrics.Failures!.Select(Key));
    }

    [Fact]
    public async Task BlueZ_readiness_follows_the_stack_the_Bluetooth_source_reports()
    {
        var registry = new BleDeviceRegistry();
        var check = new BlueZHealthCheck(registry);
        var before = await check.CheckHealthAsync(new HealthCheckContext());

        registry.StackChanged(true, null);
        var up = await check.CheckHealthAsync(new HealthCheckContext());
        registry.StackChanged(false, "org.bluez is not on the bus or adapter hci0 is not powered");
        var down = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, before.Status);
        Assert.Equal(HealthStatus.Healthy, up.Status);
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.Contains("org.bluez is not on the bus", down.Description, StringComparison.Ordinal);
    }

    private static string Key(string failure) => failure.Split(' ')[0];
}
