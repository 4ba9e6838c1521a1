using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery.Http;

namespace Vitals.Gateway.Delivery.Compatibility;

/// <summary>
/// At start-up, reads the EHR's CapabilityStatement (<c>GET [base]/metadata</c>, authenticated like every request),
/// identifies the server for <c>Ehr:Preset</c> auto (<see cref="EhrServerPreset"/>: one Information event naming the
/// preset and the keys it sets) and says in one warning per gap what <c>Ehr:Profile</c> needs that the server does not
/// advertise, and which profile would fit. Never fatal: a CapabilityStatement can be incomplete, and an unreachable EHR
/// is one warning; the statement is read again every <see cref="RetryInterval"/> until it answers. Start-up does not
/// wait for it (the broker, the pages and the health checks must come up with the EHR down): the delivery loop does,
/// through <see cref="EhrCompatibility.PresetSettled"/>, so the first readings already go out as the preset says, and
/// an EHR that cannot answer could take none meanwhile anyway. Events 3300-3304.
/// </summary>
public sealed class EhrCapabilityCheck(
    EhrHttpClient http, IOptions<EhrOptions> options, EhrCompatibility compatibility, EhrServerPreset preset, TimeProvider time,
    ILogger<EhrCapabilityCheck> logger) : BackgroundService
{
    /// <summary>How often an unreadable statement is asked for again while the preset is still to be identified.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(5);

    // Whether the last metadata request got an answer from the server itself (see ExecuteAsync).
    private bool _lastAnswered;

    /// <summary>For a check without a preset to identify (tests): the configured settings, system time.</summary>
    public EhrCapabilityCheck(EhrHttpClient http, IOptions<EhrOptions> options, EhrCompatibility compatibility, ILogger<EhrCapabilityCheck> logger)
        : this(http, options, compatibility, new EhrServerPreset((options ?? throw new ArgumentNullException(nameof(options))).Value), TimeProvider.System, logger)
    {
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var first = true;
            while (await RunAsync(stoppingToken, logUnreadable: first).ConfigureAwait(false) is null && preset.IsAuto)
            {
                // An EHR that answered (any status a server chooses: 401, 404, a page that is not a statement) will
                // not say who it is: the configured settings apply. One that did not answer at all (unreachable, a
                // timeout, 5xx, 429) may be Medplum: delivery waits, as it could not deliver anything meanwhile anyway.
                if (_lastAnswered)
                    preset.GiveUpForNow();
                first = false;
                await Task.Delay(RetryInterval, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped before the EHR answered.
        }
        finally
        {
            preset.GiveUpForNow();
        }
    }

    /// <summary>Runs the check once and logs its outcome; the report, or null when the statement could not be read.</summary>
    public Task<CapabilityReport?> RunAsync(CancellationToken ct) => RunAsync(ct, logUnreadable: true);

    private async Task<CapabilityReport?> RunAsync(CancellationToken ct, bool logUnreadable)
    {
        var o = options.Value;
        var profile = EhrProfileConverter.ToName(o.Profile);
        var response = await http.SendAsync(HttpMethod.Get, "metadata", null, null, "GET metadata", ct).ConfigureAwait(false);
        _lastAnswered = response.Failure is not DeliveryResult.RetryLater { Cause: RetryCause.Unavailable or RetryCause.TimedOut or RetryCause.ServerError or RetryCause.Throttled };
        if (response.Failure is { } failure)
        {
            var reason = failure switch
            {
                DeliveryResult.RetryLater r => r.Reason,
                DeliveryResult.Rejected r => r.Reason,
                _ => failure.ToString(),
            };
            if (logUnreadable)
                DeliveryLog.CapabilitiesUnreadable(logger, profile, reason);
            return null;
        }
        var report = CapabilityReport.Evaluate(response.Body, o.Profile, compatibility.SendsDevice, o.SinglePost.SearchBeforeResend);
        if (report is null)
        {
            if (logUnreadable)
                DeliveryLog.CapabilitiesUnreadable(logger, profile, $"HTTP {response.Status} with a body that is not a CapabilityStatement");
            return null;
        }
        ApplyPreset(ServerIdentity.TryRead(response.Body) ?? new ServerIdentity(null, null, null, null));
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

    private void ApplyPreset(ServerIdentity identity)
    {
        if (!preset.IsAuto)
        {
            var named = preset.Current.Preset;
            var (configuredChanges, configuredKept) = preset.Apply(named);
            DeliveryLog.PresetApplied(logger, named.Name, "Ehr:Preset", identity.ToString(), Describe(configuredChanges, configuredKept, named));
            return;
        }
        var identified = EhrPreset.Identify(identity);
        var (changes, kept) = preset.Apply(identified);
        DeliveryLog.PresetApplied(logger, identified.Name, "identified from the CapabilityStatement", identity.ToString(), Describe(changes, kept, identified));
    }

    private static string Describe(IReadOnlyList<string> changes, IReadOnlyList<string> kept, EhrPreset applied)
    {
        var text = changes.Count == 0 ? "changes nothing" : "sets " + string.Join(", ", changes);
        if (kept.Count > 0)
            text += "; kept as configured: " + string.Join(", ", kept);
        return applied.Settings().Count == 0 ? $"{text} ({applied.Basis})" : text;
    }
}
