namespace Vitals.Gateway.Ingest.Ble;

/// <summary>A remote primary service (Web Bluetooth BluetoothRemoteGATTService / InTheHand GattService).</summary>
public abstract class GattService
{
    public abstract BluetoothUuid Uuid { get; }

    public abstract Task<IReadOnlyList<GattCharacteristic>> GetCharacteristicsAsync(CancellationToken ct);

    public async Task<GattCharacteristic?> GetCharacteristicAsync(BluetoothUuid uuid, CancellationToken ct) =>
        (await GetCharacteristicsAsync(ct).ConfigureAwait(false)).FirstOrDefault(c => c.Uuid == uuid);
}
