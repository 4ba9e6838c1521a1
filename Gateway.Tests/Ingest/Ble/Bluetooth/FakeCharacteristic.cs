using Vitals.Gateway.Ingest.Ble;

namespace Vitals.Gateway.Tests.Ingest.Ble;

internal sealed class FakeCharacteristic(FakeService service, ushort uuid, GattCharacteristicProperties properties) : GattCharacteristic
{
    public override BluetoothUuid Uuid { get; } = BluetoothUuid.FromShortId(uuid);

    public override GattCharacteristicProperties Properties { get; } = properties;

    public bool Notifying { get; private set; }

    public byte[] Value { get; set; } = [];

    /// <summary>Answers a write (e.g. RACP): may send values back through <see cref="Send"/>.</summary>
    public Action<byte[]>? OnWrite { get; set; }

    public override Task<byte[]> ReadValueAsync(CancellationToken ct) => Task.FromResult(Value);

    public override Task WriteValueWithResponseAsync(ReadOnlyMemory<byte> value, CancellationToken ct)
    {
        var bytes = value.ToArray();
        service.FakeDevice.Bluetooth.Record($"write {Uuid.ToShortString()} {Convert.ToHexString(bytes)}");
        OnWrite?.Invoke(bytes);
        return Task.CompletedTask;
    }

    public override Task StartNotificationsAsync(CancellationToken ct)
    {
        if (!Notifying) service.FakeDevice.Bluetooth.Record("arm " + Uuid.ToShortString());
        Notifying = true;
        return Task.CompletedTask;
    }

    /// <summary>The device notifies or indicates: lost when nobody is listening, as with BlueZ.</summary>
    public bool Send(byte[] value)
    {
        if (!Notifying) return false;
        OnCharacteristicValueChanged(new GattValueChangedEventArgs(value, DateTimeOffset.UtcNow));
        return true;
    }
}
