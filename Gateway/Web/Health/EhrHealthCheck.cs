using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery;

namespace Vitals.Gateway.Web.Health;

/// <summary>
/// Readiness: the EHR answers and accepts the gateway's credentials. Refused credentials are unhealthy at once (a
/// person must act); an outage is degraded (readings wait in the outbox, which is what it is for) until it has lasted
/// Health:MaxOutboxAge, then unhealthy.
/// </summary>
internal sealed class EhrHealthCheck(IEhrReadiness ehr, TimeProvider time, IOptions<HealthOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = ehr.Current;
        var since = state.Since is { } s ? s.ToString("u", CultureInfo.InvariantCulture) : "?";
        var result = state.Availability switch
        {
            EhrAvailability.Unknown => HealthCheckResult.Healthy("nothing sent to the EHR since the gateway started"),
            EhrAvailability.Available => HealthCheckResult.Healthy($"the EHR answered at {Format(state.LastAnswerAt)}"),
            EhrAvailability.Unauthorised => HealthCheckResult.Unhealthy($"the EHR refuses the gateway since {since}: {state.Reason}"),
            _ when time.GetUtcNow() - (state.Since ?? time.GetUtcNow()) > options.Value.MaxOutboxAge =>
                HealthCheckResult.Unhealthy($"the EHR has been unreachable since {since}, longer than Health:MaxOutboxAge ({options.Value.MaxOutboxAge}): {state.Reason}"),
            _ => HealthCheckResult.Degraded($"the EHR is unreachable since {since}; readings wait in the outbox: {state.Reason}"),
        };
        return Task.FromResult(result);
    }

    private static string Format(DateTimeOffset? at) => at?.ToString("u", CultureInfo.InvariantCulture) ?? "?";
}
