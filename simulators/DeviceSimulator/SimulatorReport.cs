using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vitals.Simulators.DeviceSimulator;

/// <summary>
/// The summary printed by <c>--report</c>. Acked counts QoS 1 publishes the broker acknowledged with success; rejected, malformed ones it refused with 0x99; failed
/// counts publishes that got an error reason code, an exception or no acknowledgement before the end.
/// Malformed messages count as acked on a plain broker and as rejected on the gateway.
/// </summary>
public sealed record SimulatorReport
{
    public required long Sent { get; init; }
    public required long Acked { get; init; }
    public required long Failed { get; init; }
    /// <summary>Malformed messages the broker answered with PUBACK 0x99 (payload format invalid): a gateway that kept them as rejected.</summary>
    public long Rejected { get; init; }
    /// <summary>Publishes sent again after a lost connection (--retry).</summary>
    public long Resent { get; init; }
    public required long MalformedSent { get; init; }
    public required IReadOnlyDictionary<string, long> MalformedByKind { get; init; }
    public required int Devices { get; init; }
    public required int Clients { get; init; }
    public required int Seed { get; init; }
    public required double DurationSeconds { get; init; }
    /// <summary>First CONNECT's start to the last CONNACK; not part of <see cref="DurationSeconds"/>.</summary>
    public double ConnectSeconds { get; init; }
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
