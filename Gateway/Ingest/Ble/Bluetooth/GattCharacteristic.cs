namespace Vitals.Gateway.Ingest.Ble;

/// <summary>A remote characteristic (Web Bluetooth BluetoothRemoteGATTCharacteristic / InTheHand GattCharacteristic).</summary>
public abstract class GattCharacteristic
{
    public abstract BluetoothUuid Uuid { get; }

    public abstract GattCharacteristicProperties Properties { get; }

    public abstract Task<byte[]> ReadValueAsync(CancellationToken ct);

    public abstract Task WriteValueWithResponseAsync(ReadOnlyMemory<byte> value, CancellationToken ct);

    /// <summary>Covers notify and indicate alike. Idempotent: starting again while started succeeds.</summary>
    public abstract Task StartNotificationsAsync(CancellationToken ct);

    /// <summary>Raised once per notification or indication, also when the bytes repeat. Handlers must return quickly.</summary>
    public event EventHandler<GattValueChangedEventArgs>? CharacteristicValueChanged;

    protected void OnCharacteristicValueChanged(GattValueChangedEventArgs e) => CharacteristicValueChanged?.Invoke(this, e);
}
