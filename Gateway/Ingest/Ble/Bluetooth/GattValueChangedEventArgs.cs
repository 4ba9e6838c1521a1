namespace Vitals.Gateway.Ingest.Ble;

/// <summary>One notification or indication: the bytes as the device sent them and the gateway's clock at receipt.</summary>
public sealed class GattValueChangedEventArgs(byte[] value, DateTimeOffset receivedAt) : EventArgs
{
    public byte[] Value { get; } = value;

    public DateTimeOffset ReceivedAt { get; } = receivedAt;
}
