using System.Collections.Concurrent;

namespace Vitals.Gateway.Ingest.Ble;

/// <summary>
/// The health devices the Bluetooth stack sees now, for the pairing page: kept current by the stack's
/// <see cref="Bluetooth.AdvertisementReceived"/> while <see cref="BleIngestService"/> holds the stack open, empty
/// otherwise. A device that advertises no health service (<see cref="HealthGatt.Services"/>) is not listed: BlueZ merges
/// every client's discovery filter, so the stack may report devices this gateway did not ask for. A device leaves the
/// list when the stack forgets it (<see cref="Bluetooth.DeviceRemoved"/>: BlueZ drops a device it has not heard for its
/// TemporaryTimeout unless it is bonded or connected), so a device switched off or taken away is not offered for
/// long. Thread-safe.
/// </summary>
public sealed class NearbyDevices
{
    private readonly ConcurrentDictionary<string, NearbyDevice> _seen = new(StringComparer.Ordinal);
    private readonly EventHandler<BluetoothAdvertisingEvent> _onAdvertisement;
    private volatile Bluetooth? _bluetooth;

    private readonly EventHandler<BluetoothDevice> _onRemoved;
    private readonly EventHandler _onRestarted;

    public NearbyDevices()
    {
        _onAdvertisement = (_, e) => Update(e.Device, e.Name, e.Rssi, e.Uuids);
        _onRemoved = (_, device) => Forget(device.Id);
        _onRestarted = (sender, _) =>
        {
            // bluetoothd restarted: it knows only the bonded devices until discovery sees the others again.
            _seen.Clear();
            if (sender is Bluetooth bluetooth) Load(bluetooth);
        };
    }

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
        bluetooth.DeviceRemoved += _onRemoved;
        bluetooth.StackRestarted += _onRestarted;
        Load(bluetooth);
    }

    private void Load(Bluetooth bluetooth)
    {
        foreach (var device in bluetooth.GetDevices()) Update(device, device.Name, device.Rssi, device.Uuids);
    }

    internal void Detach(Bluetooth bluetooth)
    {
        bluetooth.AdvertisementReceived -= _onAdvertisement;
        bluetooth.DeviceRemoved -= _onRemoved;
        bluetooth.StackRestarted -= _onRestarted;
        if (ReferenceEquals(_bluetooth, bluetooth))
        {
            _bluetooth = null;
            _seen.Clear();
        }
    }

    /// <summary>The device was removed from the stack: it is listed again once it advertises.</summary>
    internal void Forget(string address) => _seen.TryRemove(address, out _);

    private void Update(BluetoothDevice device, string? name, short? rssi, IReadOnlyList<BluetoothUuid> uuids)
    {
        var health = HealthGatt.Services.Where(uuids.Contains).ToList();
        if (health.Count == 0) return;
        _seen[device.Id] = new NearbyDevice(device.Id, name, rssi, health, device.IsPaired);
    }
}
