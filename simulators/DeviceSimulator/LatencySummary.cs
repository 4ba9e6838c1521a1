namespace Vitals.Simulators.DeviceSimulator;

/// <summary>Publish-to-PUBACK latency percentiles in milliseconds (nearest rank).</summary>
public sealed record LatencySummary(int Samples, double P50, double P95, double P99, double Max);
