using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Web.Health;

/// <summary>Readiness: the store commits a write (a probe transaction), within Health:StoreProbeTimeout.</summary>
internal sealed class StoreWritableHealthCheck(IStoreHealth store, IOptions<HealthOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.StoreProbeTimeout);
        try
        {
            await store.ProbeWriteAsync(timeout.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy("a probe transaction committed");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"a probe transaction did not commit within Health:StoreProbeTimeout ({options.Value.StoreProbeTimeout})");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The exception's message names the store and the cause (read-only file, disk full, closed); no reading data.
            return HealthCheckResult.Unhealthy($"the store cannot commit: {ex.GetType().Name}: {ex.Message}");
        }
    }
}
