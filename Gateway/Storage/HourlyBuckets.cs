namespace Vitals.Gateway.Storage;

/// <summary>Folds time-stamped rows into <see cref="HourlyStatistics"/>, the same for every store implementation.</summary>
public sealed class HourlyBuckets
{
    private readonly DateTimeOffset _from;
    private readonly long[] _received, _delivered, _rejected;
    private readonly List<double>[] _latencies;

    public HourlyBuckets(DateTimeOffset from, int hours)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hours);
        _from = from;
        _received = new long[hours];
        _delivered = new long[hours];
        _rejected = new long[hours];
        _latencies = new List<double>[hours];
        for (var i = 0; i < hours; i++) _latencies[i] = [];
    }

    public DateTimeOffset To => _from.AddHours(_received.Length);

    public void Received(DateTimeOffset at) { if (Index(at) is { } i) _received[i]++; }

    public void Rejected(DateTimeOffset at) { if (Index(at) is { } i) _rejected[i]++; }

    public void Delivered(DateTimeOffset receivedAt, DateTimeOffset deliveredAt)
    {
        if (Index(deliveredAt) is not { } i) return;
        _delivered[i]++;
        _latencies[i].Add(Math.Max(0, (deliveredAt - receivedAt).TotalSeconds));
    }

    public IReadOnlyList<HourlyStatistics> Result()
    {
        var result = new List<HourlyStatistics>(_received.Length);
        for (var i = 0; i < _received.Length; i++)
        {
            var sorted = _latencies[i];
            sorted.Sort();
            result.Add(new HourlyStatistics(_from.AddHours(i), _received[i], _delivered[i], _rejected[i],
                Percentile(sorted, 50), Percentile(sorted, 95), Percentile(sorted, 99)));
        }
        return result;
    }

    /// <summary>Nearest-rank percentile: the smallest value with at least p % of the values at or below it.</summary>
    internal static TimeSpan? Percentile(List<double> sorted, int p)
    {
        if (sorted.Count == 0) return null;
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count);
        return TimeSpan.FromSeconds(sorted[Math.Clamp(rank, 1, sorted.Count) - 1]);
    }

    private int? Index(DateTimeOffset at)
    {
        if (at < _from || at >= To) return null;
        return (int)((at - _from).Ticks / TimeSpan.TicksPerHour);
    }
}
