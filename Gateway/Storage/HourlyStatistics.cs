namespace Vitals.Gateway.Storage;

/// <summary>
/// One hour of traffic. The percentiles are of the receipt -> EHR acknowledged latency of the readings delivered in
/// that hour (nearest-rank), null when none was.
/// </summary>
public sealed record HourlyStatistics(
    DateTimeOffset Hour, long Received, long Delivered, long Rejected, TimeSpan? LatencyP50, TimeSpan? LatencyP95, TimeSpan? LatencyP99);
