using Microsoft.Extensions.Diagnostics.HealthChecks;
using Vitals.Gateway.Ingest.Ble;

namespace Vitals.Gateway.Web.Health;

/// <summary>Readiness, only with Ble:Enabled: BlueZ is on the bus and the adapter is powered.</summary>
internal sealed class BlueZHealthCheck(BleDeviceRegistry registry) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var stack = registry.Stack;
        var links = registry.Snapshot();
        return Task.FromResult(stack.Available
            ? HealthCheckResult.Healthy($"BlueZ present; {links.Count(d => d.Connected)} of {links.Count} bound device(s) connected")
            : HealthCheckResult.Unhealthy($"BlueZ not available: {stack.Reason}"));
    }
}
