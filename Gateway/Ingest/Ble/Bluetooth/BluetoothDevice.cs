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
    /// Pairs (bonds) with the device. <paramref name="passkey"/> answers the device's passkey request; without one a
    /// device that asks for a passkey refuses. Completes without error when already paired.
    /// </summary>
    public abstract Task PairAsync(Func<CancellationToken, Task<uint?>>? passkey, CancellationToken ct);

    /// <summary>The link dropped (device away, switched off, or the Bluetooth stack restarted).</summary>
    public event EventHandler? GattServerDisconnected;

    protected void OnGattServerDisconnected() => GattServerDisconnected?.Invoke(this, EventArgs.Empty);
}
