using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vitals.Simulators.DeviceSimulator;

/// <summary>
/// What the <c>load</c> verb prints at the end. Throughput counts publishes acknowledged with success per second of
/// publishing. <see cref="PublishToCommittedMs"/> is publish start -> PUBACK (the gateway acknowledges after the commit);
/// <see cref="CommittedToEhrMs"/> is PUBACK -> the store's delivered_at (null without a store). Memory is the
/// gateway's: <see cref="PeakRssMb"/> its VmHWM at the end, the samples its VmRSS during the run.
/// </summary>
public sealed record LoadReport
{
    public required int Devices { get; init; }
    public required int Clients { get; init; }
    public required double RatePerSecond { get; init; }
    public required double DurationSeconds { get; init; }
    public required long Sent { get; init; }
    public required long Acked { get; init; }
    public required long Failed { get; init; }
    public long Rejected { get; init; }
    public required double ThroughputPerSecond { get; init; }
    public required LatencySummary PublishToCommittedMs { get; init; }
    public LatencySummary? CommittedToEhrMs { get; init; }
    /// <summary>Readings this run committed that the store had not delivered when the report was made.</summary>
    public long? Undelivered { get; init; }
    public int? GatewayPid { get; init; }
    public double? PeakRssMb { get; init; }
    public double? MaxSampledRssMb { get; init; }
    /// <summary>(highest - lowest) / lowest of the samples after the warm-up, in percent.</summary>
    public double? RssSpreadPercent { get; init; }
    public double WarmupSeconds { get; init; }
    public IReadOnlyList<RssSample> RssSamples { get; init; } = [];

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static LoadReport? FromJson(string json) => JsonSerializer.Deserialize<LoadReport>(json, JsonOptions);
}
