namespace Vitals.Simulators.DeviceSimulator;

/// <summary>Collects latencies (thread-safe; publish-to-PUBACK, or a load run's later stages) and summarises them by nearest-rank percentiles.</summary>
public sealed class LatencyRecorder
{
    private readonly List<double> _milliseconds = [];
    private readonly Lock _lock = new();

    public void Record(TimeSpan latency)
    {
        lock (_lock)
        {
            _milliseconds.Add(latency.TotalMilliseconds);
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _milliseconds.Count;
            }
        }
    }

    public LatencySummary Summarise() => Summarise(0);

    /// <summary>
    /// The samples from the <paramref name="fromSample"/>-th on (0-based, in the order they were recorded): with the
    /// count taken a second ago, the last second's latencies (the load command's progress line).
    /// </summary>
    public LatencySummary Summarise(int fromSample)
    {
        double[] sorted;
        lock (_lock)
        {
            var from = Math.Clamp(fromSample, 0, _milliseconds.Count);
            sorted = _milliseconds.GetRange(from, _milliseconds.Count - from).ToArray();
        }
        if (sorted.Length == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0);
        }
        Array.Sort(sorted);
        double Percentile(double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new LatencySummary(sorted.Length, Round(Percentile(50)), Round(Percentile(95)), Round(Percentile(99)), Round(sorted[^1]));
    }

    private static double Round(double ms) => Math.Round(ms, 3);
}
