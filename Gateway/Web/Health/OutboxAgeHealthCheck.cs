using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Vitals.Gateway.Web.Health;

/// <summary>Readiness: the oldest undelivered reading has waited less than Health:MaxOutboxAge.</summary>
internal sealed class OutboxAgeHealthCheck(OutboxStatusCache outbox, TimeProvider time, IOptions<HealthOptions> options) : IHealthCheck
{
    /// <summary>A readiness probe wants the truth of now, not of the last scrape.</summary>
    private static readonly TimeSpan MaxStaleness = TimeSpan.FromSeconds(1);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = await outbox.GetAsync(cancellationToken, MaxStaleness).ConfigureAwait(false);
        if (status.OldestPending is not { } oldest)
            return HealthCheckResult.Healthy("no reading is waiting for the EHR");
        var age = time.GetUtcNow() - oldest;
        var limit = options.Value.MaxOutboxAge;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{status.Pending} reading(s) waiting for the EHR ({status.Retrying} retrying); the oldest for {age:d\\.hh\\:mm\\:ss}");
        return age > limit
            ? HealthCheckResult.Unhealthy($"{text}, longer than Health:MaxOutboxAge ({limit})")
            : HealthCheckResult.Healthy(text);
    }
}
