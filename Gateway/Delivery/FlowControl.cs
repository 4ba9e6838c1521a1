using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// How many requests the delivery loop keeps in flight and how many readings go into one Bundle, adapted to what the
/// EHR tolerates, the way TCP adapts its window (RFC 5681 3.1, additive increase, multiplicative decrease): every
/// <see cref="Concurrency"/> requests answered in time add one request in flight and a tenth of
/// <c>Ehr:Batch:MaxSize</c> readings per Bundle; a 429 (or 503 with Retry-After) halves the requests in flight; a timeout
/// halves both, and the Bundle size to at most half of the request that timed out; an answer that took more than half
/// of <c>Ehr:Timeout</c> stops the growth and takes a quarter off the Bundle size, before the timeouts start. A Bundle
/// refused for its size (413, "too many entries") sets a ceiling of half its size that growth never passes again:
/// such a limit is the server's configuration, not its load.
/// <para>
/// Several requests in flight meet the same overload at once; only the first of their answers decreases: a request
/// that started before the last decrease does not decrease again (one decrease per round trip, like TCP's once per
/// window). Bounds: 1 .. <c>Ehr:MaxConcurrency</c> and 1 .. <c>Ehr:Batch:MaxSize</c>. Thread-safe.
/// </para>
/// </summary>
public sealed class FlowControl
{
    private readonly Lock _gate = new();
    private readonly int _maxConcurrency;
    private readonly int _maxBatch;
    private readonly int _batchStep;
    private readonly TimeSpan _slow;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _lastDecrease;
    private int _answeredInTime;

    /// <param name="logger">Events 3130-3132.</param>
    public FlowControl(int maxConcurrency, int maxBatchSize, TimeSpan timeout, TimeProvider time, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _maxConcurrency = maxConcurrency;
        _maxBatch = maxBatchSize;
        _batchStep = Math.Max(1, maxBatchSize / 10);
        _slow = timeout / 2;
        _time = time;
        _logger = logger;
        Concurrency = maxConcurrency;
        BatchSize = maxBatchSize;
        BatchCeiling = maxBatchSize;
        SmallestBatchSize = maxBatchSize;
        _lastDecrease = long.MinValue;
    }

    /// <summary>Requests allowed in flight now.</summary>
    public int Concurrency { get; private set; }

    /// <summary>Readings per request now.</summary>
    public int BatchSize { get; private set; }

    /// <summary>The smallest <see cref="BatchSize"/> so far (for benchmarks and the status of a run).</summary>
    public int SmallestBatchSize { get; private set; }

    /// <summary>The largest Bundle the server has not refused for its size (<c>Ehr:Batch:MaxSize</c> until it does).</summary>
    public int BatchCeiling { get; private set; }

    /// <summary>A timestamp (<see cref="TimeProvider.GetTimestamp"/>) to pass back with the request's outcome.</summary>
    public long RequestStarted() => _time.GetTimestamp();

    /// <summary>A request of <paramref name="readings"/> readings was answered (delivered or refused on its merits).</summary>
    public void Answered(long started, int readings)
    {
        var latency = _time.GetElapsedTime(started);
        lock (_gate)
        {
            if (latency >= _slow)
            {
                // Slow: the next Bundle would risk the timeout. Shrink a little, before the timeouts shrink it a lot.
                if (readings > 1 && IsNewRound(started))
                    Change(Concurrency, Math.Max(1, Math.Min(BatchSize, readings) * 3 / 4), "answers take more than half of Ehr:Timeout");
                return;
            }
            if (++_answeredInTime < Concurrency)
                return;
            _answeredInTime = 0;
            if (Concurrency < _maxConcurrency || BatchSize < BatchCeiling)
                Change(Math.Min(_maxConcurrency, Concurrency + 1), Math.Min(BatchCeiling, BatchSize + _batchStep), null);
        }
    }

    /// <summary>429, or 503 with Retry-After: fewer requests in flight.</summary>
    public void Throttled(long started)
    {
        lock (_gate)
        {
            if (IsNewRound(started))
                Change(Math.Max(1, Concurrency / 2), BatchSize, "the EHR throttles (429)");
        }
    }

    /// <summary>A request of <paramref name="readings"/> readings got no answer in time: fewer and smaller requests.</summary>
    public void TimedOut(long started, int readings)
    {
        lock (_gate)
        {
            if (IsNewRound(started))
                Change(Math.Max(1, Concurrency / 2), Math.Max(1, Math.Min(BatchSize, readings) / 2), "requests time out");
        }
    }

    /// <summary>A request of <paramref name="readings"/> readings was refused for its size: the ceiling is half of it, for good.</summary>
    public void TooLarge(int readings)
    {
        lock (_gate)
        {
            var ceiling = Math.Max(1, Math.Min(BatchCeiling, readings / 2));
            if (ceiling == BatchCeiling && BatchSize <= ceiling)
                return;
            BatchCeiling = ceiling;
            DeliveryLog.BatchCeilingLowered(_logger, readings, ceiling);
            Change(Concurrency, Math.Min(BatchSize, ceiling), null);
        }
    }

    private bool IsNewRound(long started)
    {
        if (started < _lastDecrease)
            return false;
        _lastDecrease = _time.GetTimestamp();
        _answeredInTime = 0;
        return true;
    }

    private void Change(int concurrency, int batchSize, string? why)
    {
        if (concurrency == Concurrency && batchSize == BatchSize)
            return;
        var grew = concurrency >= Concurrency && batchSize >= BatchSize;
        Concurrency = concurrency;
        BatchSize = batchSize;
        SmallestBatchSize = Math.Min(SmallestBatchSize, batchSize);
        if (grew)
            DeliveryLog.FlowGrew(_logger, concurrency, batchSize);
        else
            DeliveryLog.FlowShrank(_logger, concurrency, batchSize, why ?? "the EHR refused a Bundle for its size");
    }
}
