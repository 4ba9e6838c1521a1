using System.Collections.Concurrent;

namespace Vitals.Gateway.Ingest.Ble;

/// <summary>
/// The health devices the Bluetooth stack sees now, for the pairing page: kept current by the stack's
/// <see cref="Bluetooth.AdvertisementReceived"/> while <see cref="BleIngestService"/> holds the stack open, empty
/// otherwise. A device that advertises no health service (<see cref="HealthGatt.Services"/>) is not listed: BlueZ merges
/// every client's discovery filter, so the stack may report devices this gateway did not ask for. Thread-safe.
/// </summary>
public sealed class NearbyDevices
{
    private readonly ConcurrentDictionary<string, NearbyDevice> _seen = new(StringComparer.Ordinal);
    private readonly EventHandler<BluetoothAdvertisingEvent> _onAdvertisement;
    private volatile Bluetooth? _bluetooth;

    public NearbyDevices() => _onAdvertisement = (_, e) => Update(e.Device, e.Name, e.Rssi, e.Uuids);

    /// <summary>Whether a Bluetooth stack is open (the list can fill).</summary>
    public bool Listening => _bluetooth is not null;

    /// <summary>The devices seen, strongest signal first.</summary>
    public IReadOnlyList<NearbyDevice> Snapshot() =>
        [.. _seen.Values.OrderByDescending(d => d.Rssi ?? short.MinValue).ThenBy(d => d.Address, StringComparer.Ordinal)];

    /// <summary>The stack's device for <paramref name="address"/> when the stack is open and knows it; else null.</summary>
    public BluetoothDevice? Device(string address) => _bluetooth?.GetDevice(address);

    internal void Attach(Bluetooth bluetooth)
    {
        _bluetooth = bluetooth;
        bluetooth.AdvertisementReceived += _onAdvertisement;
        foreach (var device in bluetooth.GetDevices()) Update(device, device.Name, device.Rssi, device.Uuids);
    }

    internal void Detach(Bluetooth bluetooth)
    {
        bluetooth.AdvertisementReceived -= _onAdvertisement;
        if (ReferenceEquals(_bluetooth, bluetooth))
        {
            _bluetooth = null;
            _seen.Clear();
        }
    }

    /// <summary>The device was removed from the stack (its bond deleted): it is listed again once it advertises.</summary>
    internal void Forget(string address) => _seen.TryRemove(address, out _);

    private void Update(BluetoothDevice device, string? name, short? rssi, IReadOnlyList<BluetoothUuid> uuids)
    {
        var health = HealthGatt.Services.Where(uuids.Contains).ToList();
        if (health.Count == 0) return;
        _seen[device.Id] = new NearbyDevice(device.Id, name, rssi, health, device.IsPaired);
    }
}
