namespace Vitals.Gateway.Ingest.Ble;

/// <summary>The GATT connection to a device (Web Bluetooth BluetoothRemoteGATTServer / InTheHand RemoteGattServer).</summary>
public abstract class RemoteGattServer
{
    public abstract bool IsConnected { get; }

    /// <summary>Completes once the link is up AND the services are resolved, so characteristics can be used.</summary>
    public abstract Task ConnectAsync(CancellationToken ct);

    public abstract void Disconnect();

    /// <summary>
    /// The primary services known for the device. A bonded device's services may be known (cached) while it is not
    /// connected; then notifications can be armed before it connects.
    /// </summary>
    public abstract Task<IReadOnlyList<GattService>> GetPrimaryServicesAsync(CancellationToken ct);

    public async Task<GattService?> GetPrimaryServiceAsync(BluetoothUuid uuid, CancellationToken ct) =>
        (await GetPrimaryServicesAsync(ct).ConfigureAwait(false)).FirstOrDefault(s => s.Uuid == uuid);
}
