// The folder Bluetooth/ keeps the namespace of its parent: a namespace ...Ble.Bluetooth would hide this type.
namespace Vitals.Gateway.Ingest.Ble;

/// <summary>
/// The local Bluetooth stack (Web Bluetooth <c>navigator.bluetooth</c> / InTheHand <c>Bluetooth</c>), as an instance so
/// that a BlueZ and an InTheHand implementation can sit behind it. Events may arrive on any thread.
/// </summary>
public abstract class Bluetooth : IAsyncDisposable
{
    /// <summary>Whether an adapter is present and powered.</summary>
    public abstract Task<bool> GetAvailabilityAsync(CancellationToken ct);

    /// <summary>Powers the adapter and scans for devices advertising any of <paramref name="services"/>.</summary>
    public abstract Task StartDiscoveryAsync(IReadOnlyCollection<BluetoothUuid> services, CancellationToken ct);

    /// <summary>A device the stack knows by its address (<c>AA:BB:CC:DD:EE:FF</c>), or null.</summary>
    public abstract BluetoothDevice? GetDevice(string id);

    /// <summary>The devices the stack knows now (Web Bluetooth <c>getDevices()</c>), seen in discovery or bonded.</summary>
    public virtual IReadOnlyList<BluetoothDevice> GetDevices() => [];

    public event EventHandler<BluetoothDevice>? DeviceAdded;

    /// <summary>
    /// The stack forgot a device: it was removed (its bond deleted), or, never bonded and not connected, it was not
    /// heard advertising for a while (BlueZ main.conf TemporaryTimeout, 30 s by default). It is added again when seen.
    /// </summary>
    public event EventHandler<BluetoothDevice>? DeviceRemoved;

    /// <summary>
    /// A device was seen advertising or its advertised name, signal strength or services changed (Web Bluetooth
    /// <c>advertisementreceived</c>), while discovery runs.
    /// </summary>
    public event EventHandler<BluetoothAdvertisingEvent>? AdvertisementReceived;

    /// <summary>
    /// The stack went away and came back (bluetoothd restarted): links are down, notification sessions are gone and
    /// characteristic objects are new. Whoever uses devices re-arms notifications and reconnects.
    /// </summary>
    public event EventHandler? StackRestarted;

    protected void OnDeviceAdded(BluetoothDevice device) => DeviceAdded?.Invoke(this, device);

    protected void OnDeviceRemoved(BluetoothDevice device) => DeviceRemoved?.Invoke(this, device);

    protected void OnAdvertisementReceived(BluetoothAdvertisingEvent advertisement) => AdvertisementReceived?.Invoke(this, advertisement);

    protected void OnStackRestarted() => StackRestarted?.Invoke(this, EventArgs.Empty);

    /// <summary>Completes when the connection to the Bluetooth stack is lost for good: create a new instance.</summary>
    public abstract Task Disconnected { get; }

    public abstract ValueTask DisposeAsync();
}
