using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Vitals.Gateway.Ingest.Ble;
using Vitals.Gateway.Ingest.Mqtt;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Web;

/// <summary>
/// The gauges of the gateway's meter, observed when an exporter collects: outbox depth and the age of the oldest
/// undelivered reading (from <see cref="OutboxStatusCache"/>, so a scrape costs at most one query every few seconds)
/// and the devices connected now (MQTT connections to the embedded broker, Bluetooth LE links).
/// </summary>
public sealed class GatewayGauges : IDisposable
{
    public const string OutboxDepthName = "vitals.outbox.depth";
    public const string OutboxOldestAgeName = "vitals.outbox.oldest_age";
    public const string ConnectedDevicesName = "vitals.devices.connected";

    private static readonly TimeSpan CollectWait = TimeSpan.FromSeconds(2);

    private readonly Meter _meter;
    private readonly OutboxStatusCache _outbox;
    private readonly TimeProvider _time;

    public GatewayGauges(IMeterFactory meterFactory, OutboxStatusCache outbox, TimeProvider time, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _outbox = outbox;
        _time = time;
        _meter = meterFactory.Create(GatewayMetrics.MeterName);
        // Resolved lazily: the front door exists only with the embedded broker.
        var frontDoor = new Lazy<MqttFrontDoor?>(() => services.GetService<MqttFrontDoor>());
        var ble = new Lazy<BleDeviceRegistry?>(() => services.GetService<BleDeviceRegistry>());
        _meter.CreateObservableGauge(OutboxDepthName, () => Outbox()?.Pending ?? 0L, unit: "{reading}",
            description: "Readings waiting for the EHR (due now or retrying later)");
        _meter.CreateObservableGauge(OutboxOldestAgeName, () =>
            Outbox() is { OldestPending: { } oldest } ? Math.Max(0, (_time.GetUtcNow() - oldest).TotalSeconds) : 0.0,
            unit: "s", description: "How long the oldest undelivered reading has waited (0 when none waits)");
        _meter.CreateObservableGauge(ConnectedDevicesName, () => new[]
        {
            new Measurement<long>(frontDoor.Value?.OpenConnections ?? 0, new KeyValuePair<string, object?>("transport", "mqtt")),
            new Measurement<long>(ble.Value?.Snapshot().Count(d => d.Connected) ?? 0, new KeyValuePair<string, object?>("transport", "ble")),
        }, unit: "{device}", description: "MQTT connections to the embedded broker and Bluetooth LE links open now");
    }

    private OutboxStatus? Outbox()
    {
        // Collection is synchronous; a store that cannot answer quickly leaves the last value in place.
        try
        {
            var refresh = _outbox.GetAsync(CancellationToken.None);
            return refresh.Wait(CollectWait) ? refresh.Result : _outbox.Last;
        }
        catch (AggregateException)
        {
            return _outbox.Last;
        }
    }

    public void Dispose() => _meter.Dispose();
}
