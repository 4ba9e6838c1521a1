using System.Diagnostics.Metrics;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway;

/// <summary>
/// Counters for every stage (System.Diagnostics.Metrics, meter "Vitals.Gateway"), exported by OpenTelemetry as
/// Prometheus text on <c>/metrics</c> (names and meanings: docs/operations.md), readable with dotnet-counters too, and
/// kept as totals for the status page. The gauges (outbox, connected devices) live with the web host, which knows the
/// store and the sources.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "Vitals.Gateway";

    /// <summary>Instrument names, as the exporters see them (Prometheus: dots become underscores, counters get _total).</summary>
    public const string ReceivedName = "vitals.readings.received";
    public const string QueuedName = "vitals.readings.queued";
    public const string QuarantinedName = "vitals.readings.quarantined";
    public const string DuplicatesName = "vitals.readings.duplicates";
    public const string RejectedName = "vitals.readings.rejected";
    public const string DeliveredName = "vitals.readings.delivered";
    public const string RetriedName = "vitals.readings.retried";
    public const string DeadLetteredName = "vitals.readings.dead_lettered";
    public const string DeliveryLatencyName = "vitals.delivery.latency";
    public const string CommitDurationName = "vitals.ingest.commit.duration";
    public const string CommitSizeName = "vitals.ingest.commit.size";

    /// <summary>
    /// Receipt -> EHR acknowledged, in seconds: from sub-second (EHR up) to the longest outage worth telling apart
    /// (a day); beyond that only the count matters.
    /// </summary>
    private static readonly double[] LatencyBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400];

    /// <summary>
    /// One group commit, in seconds: an fsync is milliseconds, a commit that holds the writer for a second is the store
    /// falling behind (the sum of this histogram against wall time is how busy the single writer is).
    /// </summary>
    private static readonly double[] CommitBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    /// <summary>Messages per group commit, up to <c>Ingest:MaxBatch</c>: batches at the maximum say the writer is the limit.</summary>
    private static readonly long[] CommitSizeBuckets = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500];

    private readonly Meter _meter;
    private readonly Counter<long> _received;
    private readonly Counter<long> _queuedCounter;
    private readonly Counter<long> _quarantinedCounter;
    private readonly Counter<long> _duplicatesCounter;
    private readonly Counter<long> _rejectedCounter;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _deadLettered;
    private readonly Histogram<double> _latency;
    private readonly Histogram<double> _commitDuration;
    private readonly Histogram<long> _commitSize;
    private long _queued, _quarantined, _duplicates, _rejected, _deliveredTotal, _retriedTotal, _deadTotal;

    public GatewayMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _received = _meter.CreateCounter<long>(ReceivedName, unit: "{message}", description: "Messages received and committed, whatever their outcome");
        _queuedCounter = _meter.CreateCounter<long>(QueuedName, unit: "{reading}", description: "Readings of bound devices queued for the EHR");
        _quarantinedCounter = _meter.CreateCounter<long>(QuarantinedName, unit: "{reading}", description: "Readings of unbound devices quarantined");
        _duplicatesCounter = _meter.CreateCounter<long>(DuplicatesName, unit: "{reading}", description: "Readings received again and recognised as duplicates");
        _rejectedCounter = _meter.CreateCounter<long>(RejectedName, unit: "{message}", description: "Messages that could not become readings (kept with their reason)");
        _delivered = _meter.CreateCounter<long>(DeliveredName, unit: "{reading}", description: "Readings accepted by the EHR");
        _retried = _meter.CreateCounter<long>(RetriedName, unit: "{attempt}", description: "Delivery attempts that will be retried");
        _deadLettered = _meter.CreateCounter<long>(DeadLetteredName, unit: "{reading}", description: "Readings the EHR refused for good");
        _latency = _meter.CreateHistogram(DeliveryLatencyName, unit: "s", description: "Receipt (queueing) of a reading -> the EHR acknowledged it",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _commitDuration = _meter.CreateHistogram(CommitDurationName, unit: "s", description: "One group commit of the ingest writer (store transaction and its fsync)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CommitBuckets });
        _commitSize = _meter.CreateHistogram(CommitSizeName, unit: "{message}", description: "Messages in one group commit",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = CommitSizeBuckets });
    }

    /// <summary>Every answer the EHR gave to a delivery (or its failure to answer), for <see cref="EhrAnswerTracker"/>.</summary>
    public event Action<DeliveryResult>? EhrAnswered;

    public void Ingested(IngestOutcome outcome)
    {
        _received.Add(1);
        switch (outcome)
        {
            case IngestOutcome.Queued: Interlocked.Increment(ref _queued); _queuedCounter.Add(1); break;
            case IngestOutcome.Quarantined: Interlocked.Increment(ref _quarantined); _quarantinedCounter.Add(1); break;
            case IngestOutcome.Duplicate: Interlocked.Increment(ref _duplicates); _duplicatesCounter.Add(1); break;
            case IngestOutcome.Rejected: Interlocked.Increment(ref _rejected); _rejectedCounter.Add(1); break;
        }
    }

    /// <summary>One group commit of <paramref name="size"/> messages took <paramref name="duration"/> (failed ones too).</summary>
    public void Committed(int size, TimeSpan duration)
    {
        _commitSize.Record(size);
        _commitDuration.Record(duration.TotalSeconds);
    }

    /// <param name="latency">from the reading's queueing (its receipt, for a bound device) to the EHR's acknowledgement</param>
    public void Delivered(TimeSpan? latency = null)
    {
        _delivered.Add(1);
        Interlocked.Increment(ref _deliveredTotal);
        if (latency is { } l) _latency.Record(Math.Max(0, l.TotalSeconds));
    }

    public void Retried() { _retried.Add(1); Interlocked.Increment(ref _retriedTotal); }
    public void DeadLettered() { _deadLettered.Add(1); Interlocked.Increment(ref _deadTotal); }

    /// <summary>The delivery loop reports each outcome the EHR (or the network) gave.</summary>
    public void Answered(DeliveryResult result) => EhrAnswered?.Invoke(result);

    /// <summary>Totals since this process started.</summary>
    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>
    {
        ["queued"] = Interlocked.Read(ref _queued),
        ["quarantined"] = Interlocked.Read(ref _quarantined),
        ["duplicates"] = Interlocked.Read(ref _duplicates),
        ["rejected"] = Interlocked.Read(ref _rejected),
        ["delivered"] = Interlocked.Read(ref _deliveredTotal),
        ["retried"] = Interlocked.Read(ref _retriedTotal),
        ["deadLettered"] = Interlocked.Read(ref _deadTotal),
    };

    public void Dispose() => _meter.Dispose();
}
