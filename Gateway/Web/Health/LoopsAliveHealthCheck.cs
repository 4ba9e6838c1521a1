using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Vitals.Gateway.Delivery.Compatibility;

namespace Vitals.Gateway.Web.Health;

/// <summary>
/// Liveness: the process answers (this check runs on the thread pool and the web host), and none of the gateway's
/// loops (broker client, writer, delivery, Bluetooth) has ended while the host is running. A loop that ended on an
/// exception means readings stop flowing; restarting the process is the remedy, which is what liveness is for.
/// A one-time task (the EHR's CapabilityStatement check) may end; it must not fail.
/// </summary>
internal sealed class LoopsAliveHealthCheck(IEnumerable<IHostedService> hosted, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
            return Task.FromResult(HealthCheckResult.Healthy("stopping"));
        var ended = hosted.OfType<BackgroundService>()
            .Where(s => s.ExecuteTask is { IsCompleted: true } task && (task.IsFaulted || s is not EhrCapabilityCheck))
            .Select(s => s.GetType().Name + (s.ExecuteTask!.IsFaulted ? " (failed)" : " (ended)"))
            .ToList();
        return Task.FromResult(ended.Count == 0
            ? HealthCheckResult.Healthy($"{hosted.OfType<BackgroundService>().Count(s => s.ExecuteTask is not { IsCompleted: true })} loop(s) running")
            : HealthCheckResult.Unhealthy("loop(s) no longer running: " + string.Join(", ", ended)));
    }
}
