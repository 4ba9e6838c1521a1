namespace Vitals.Gateway.Ingest.Ble;

/// <summary>A remote device (Web Bluetooth BluetoothDevice / InTheHand BluetoothDevice).</summary>
public abstract class BluetoothDevice
{
    /// <summary>The Bluetooth address, upper case, colon-separated: <c>AA:BB:CC:DD:EE:FF</c> (the device id of bindings and topics).</summary>
    public abstract string Id { get; }

    public abstract string? Name { get; }

    public abstract RemoteGattServer Gatt { get; }

    public abstract bool IsPaired { get; }

    /// <summary>
    /// The battery level the stack reports (BlueZ: org.bluez.Battery1 Percentage, from the device's Battery Service
    /// 0x180F), 0 to 100; null when the device has no battery service or the stack shows none.
    /// </summary>
    public virtual int? BatteryPercent => null;

    /// <summary>
    /// The signal strength of the last advertisement seen, in dBm (BlueZ: Device1 RSSI; Web Bluetooth
    /// BluetoothAdvertisingEvent.rssi); null when the device was not seen advertising in this discovery.
    /// </summary>
    public virtual short? Rssi => null;

    /// <summary>The service UUIDs the device advertises or is known to offer (BlueZ: Device1 UUIDs).</summary>
    public virtual IReadOnlyList<BluetoothUuid> Uuids => [];

    /// <summary>
    /// Removes the device and its bond from the stack (Web Bluetooth BluetoothDevice.forget(); BlueZ
    /// Adapter1.RemoveDevice): a later pairing starts from nothing. Completes without error when it is already gone.
    /// </summary>
    public virtual Task ForgetAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>
    /// Pairs (bonds) with the device. <paramref name="passkey"/> answers the device's passkey request; without one a
    /// device that asks for a passkey refuses. Completes without error when already paired. A pairing the device or
    /// the stack refused throws <see cref="BluetoothPairingException"/>.
    /// </summary>
    public abstract Task PairAsync(Func<CancellationToken, Task<uint?>>? passkey, CancellationToken ct);

    /// <summary>The link dropped (device away, switched off, or the Bluetooth stack restarted).</summary>
    public event EventHandler? GattServerDisconnected;

    protected void OnGattServerDisconnected() => GattServerDisconnected?.Invoke(this, EventArgs.Empty);
}
