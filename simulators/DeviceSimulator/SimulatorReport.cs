using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vitals.Simulators.DeviceSimulator;

/// <summary>
/// The summary printed by <c>--report</c>. Acked counts QoS 1 publishes the broker acknowledged with success; failed
/// counts publishes that got an error reason code, an exception or no acknowledgement before the end.
/// Malformed messages are included in sent/acked (the broker acknowledges them like any other).
/// </summary>
public sealed record SimulatorReport
{
    public required long Sent { get; init; }
    public required long Acked { get; init; }
    public required long Failed { get; init; }
    public required long MalformedSent { get; init; }
    public required IReadOnlyDictionary<string, long> MalformedByKind { get; init; }
    public required int Devices { get; init; }
    public required int Clients { get; init; }
    public required int Seed { get; init; }
    public required double DurationSeconds { get; init; }
    /// <summary>Acknowledged publishes per second over the run.</summary>
    public required double ThroughputPerSecond { get; init; }
    public required LatencySummary LatencyMs { get; init; }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static SimulatorReport? FromJson(string json) => JsonSerializer.Deserialize<SimulatorReport>(json, JsonOptions);
}
