using System.Diagnostics.Metrics;

namespace Vitals.Gateway.Ingest.Ble;

/// <summary>
/// BLE ingest instruments on the gateway's meter: the latency from an indication's receipt to its commit
/// (docs/performance.md target: p99 under 20 ms with 20 devices).
/// </summary>
public sealed class BleMetrics : IDisposable
{
    public const string IndicationToCommit = "vitals.ble.indication_to_commit";

    private readonly Meter _meter;
    private readonly Histogram<double> _latency;

    public BleMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(GatewayMetrics.MeterName) ?? new Meter(GatewayMetrics.MeterName);
        _latency = _meter.CreateHistogram<double>(IndicationToCommit, unit: "ms", description: "Indication received -> reading (or rejection) committed");
    }

    public void Committed(TimeSpan latency) => _latency.Record(latency.TotalMilliseconds);

    public void Dispose() => _meter.Dispose();
}
