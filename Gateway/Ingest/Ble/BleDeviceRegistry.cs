using System.Collections.Concurrent;

namespace Vitals.Gateway.Ingest.Ble;

/// <summary>The live state of the BLE sessions, for /api/status. Thread-safe; sessions write, the web page reads.</summary>
public sealed class BleDeviceRegistry
{
    private readonly ConcurrentDictionary<string, BleDeviceState> _devices = new(StringComparer.Ordinal);
    private volatile BleStackState _stack = new(false, "not started yet");

    /// <summary>Whether the Bluetooth stack (BlueZ on D-Bus) is open now, and why not (the readiness check).</summary>
    public BleStackState Stack => _stack;

    internal void StackChanged(bool available, string? reason) => _stack = new BleStackState(available, reason);

    public IReadOnlyList<BleDeviceState> Snapshot() => [.. _devices.Values.OrderBy(d => d.Address, StringComparer.Ordinal)];

    public BleDeviceState? Get(string address) => _devices.GetValueOrDefault(address);

    internal void Update(string address, Func<BleDeviceState, BleDeviceState> change) =>
        _devices.AddOrUpdate(address, a => change(new BleDeviceState(a, false, null, null, null, 0)), (_, s) => change(s));

    internal void Remove(string address) => _devices.TryRemove(address, out _);
}
