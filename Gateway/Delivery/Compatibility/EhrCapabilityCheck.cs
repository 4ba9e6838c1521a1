using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery.Http;

namespace Vitals.Gateway.Delivery.Compatibility;

/// <summary>
/// At start-up, reads the EHR's CapabilityStatement (<c>GET [base]/metadata</c>, authenticated like every request) and
/// says in one warning per gap what <c>Ehr:Profile</c> needs that the server does not advertise, and which profile
/// would fit. Never fatal: a CapabilityStatement can be incomplete, and an unreachable EHR is one warning while
/// delivery goes on (the outbox waits and retries anyway). Events 3300-3303.
/// </summary>
public sealed class EhrCapabilityCheck(
    EhrHttpClient http, IOptions<EhrOptions> options, EhrCompatibility compatibility, ILogger<EhrCapabilityCheck> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped before the EHR answered.
        }
    }

    /// <summary>Runs the check once and logs its outcome; the report, or null when the statement could not be read.</summary>
    public async Task<CapabilityReport?> RunAsync(CancellationToken ct)
    {
        var o = options.Value;
        var profile = EhrProfileConverter.ToName(o.Profile);
        var response = await http.SendAsync(HttpMethod.Get, "metadata", null, null, "GET metadata", ct).ConfigureAwait(false);
        if (response.Failure is { } failure)
        {
            var reason = failure switch
            {
                DeliveryResult.RetryLater r => r.Reason,
                DeliveryResult.Rejected r => r.Reason,
                _ => failure.ToString(),
            };
            DeliveryLog.CapabilitiesUnreadable(logger, profile, reason);
            return null;
        }
        var report = CapabilityReport.Evaluate(response.Body, o.Profile, compatibility.SendsDevice, o.SinglePost.SearchBeforeResend);
        if (report is null)
        {
            DeliveryLog.CapabilitiesUnreadable(logger, profile, $"HTTP {response.Status} with a body that is not a CapabilityStatement");
            return null;
        }
        if (report.Missing.Count == 0)
        {
            DeliveryLog.CapabilitiesFit(logger, profile);
            return report;
        }
        var advice = report.Fits is { } fits && fits != o.Profile
            ? $"Ehr:Profile {EhrProfileConverter.ToName(fits)} fits what it advertises"
            : report.Fits is null ? "no profile fits what it advertises" : "check the EHR's documentation";
        foreach (var missing in report.Missing)
            DeliveryLog.CapabilityMissing(logger, profile, missing, advice);
        return report;
    }
}
