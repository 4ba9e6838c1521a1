namespace Vitals.Gateway.Web;

/// <summary>The <c>Health</c> section: what <c>/healthz/ready</c> tolerates before it says the gateway is not ready.</summary>
public sealed class HealthOptions
{
    public const string SectionName = "Health";

    /// <summary>
    /// <c>Health:MaxOutboxAge</c>: the oldest undelivered reading may wait this long, and the EHR may be unreachable
    /// this long, before readiness turns unhealthy (shorter: degraded, still ready).
    /// </summary>
    public TimeSpan MaxOutboxAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary><c>Health:StoreProbeTimeout</c>: how long the store's probe commit may take (a busy lock held elsewhere).</summary>
    public TimeSpan StoreProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
