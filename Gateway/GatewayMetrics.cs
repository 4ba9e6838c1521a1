using System.Diagnostics.Metrics;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway;

/// <summary>
/// Counters for every stage (System.Diagnostics.Metrics, meter "Vitals.Gateway"), readable with dotnet-counters or an
/// OpenTelemetry exporter, and kept as totals for the status page.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "Vitals.Gateway";

    private readonly Meter _meter;
    private readonly Counter<long> _ingested;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _deadLettered;
    private long _queued, _quarantined, _duplicates, _rejected, _deliveredTotal, _retriedTotal, _deadTotal;

    public GatewayMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _ingested = _meter.CreateCounter<long>("vitals.ingest.messages", description: "Messages committed, by outcome");
        _delivered = _meter.CreateCounter<long>("vitals.delivery.delivered", description: "Readings accepted by the EHR");
        _retried = _meter.CreateCounter<long>("vitals.delivery.retried", description: "Delivery attempts that will be retried");
        _deadLettered = _meter.CreateCounter<long>("vitals.delivery.dead_lettered", description: "Readings the EHR refused for good");
    }

    public void Ingested(IngestOutcome outcome)
    {
        _ingested.Add(1, new KeyValuePair<string, object?>("outcome", outcome.ToString()));
        switch (outcome)
        {
            case IngestOutcome.Queued: Interlocked.Increment(ref _queued); break;
            case IngestOutcome.Quarantined: Interlocked.Increment(ref _quarantined); break;
            case IngestOutcome.Duplicate: Interlocked.Increment(ref _duplicates); break;
            case IngestOutcome.Rejected: Interlocked.Increment(ref _rejected); break;
        }
    }

    public void Delivered() { _delivered.Add(1); Interlocked.Increment(ref _deliveredTotal); }
    public void Retried() { _retried.Add(1); Interlocked.Increment(ref _retriedTotal); }
    public void DeadLettered() { _deadLettered.Add(1); Interlocked.Increment(ref _deadTotal); }

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
