namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>A primary service object of BlueZ; its characteristics are read from the shared object cache.</summary>
internal sealed class BlueZService(BlueZDevice device, string path, BluetoothUuid uuid) : GattService
{
    public string Path { get; } = path;

    public override BluetoothUuid Uuid { get; } = uuid;

    public BlueZDevice BlueZDevice => device;

    public override Task<IReadOnlyList<GattCharacteristic>> GetCharacteristicsAsync(CancellationToken ct) =>
        Task.FromResult(device.Bluetooth.Cache.CharacteristicsOf(this));
}
