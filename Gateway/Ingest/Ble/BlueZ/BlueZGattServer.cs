namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>Connect/Disconnect of one device; services come from the object cache (BlueZ keeps them for bonded devices).</summary>
internal sealed class BlueZGattServer(BlueZDevice device) : RemoteGattServer
{
    public override bool IsConnected => device.IsConnectedAndResolved;

    public override Task ConnectAsync(CancellationToken ct) => device.ConnectAsync(ct);

    public override void Disconnect() => device.Disconnect();

    public override Task<IReadOnlyList<GattService>> GetPrimaryServicesAsync(CancellationToken ct) =>
        Task.FromResult(device.Bluetooth.Cache.ServicesOf(device));
}
