using Vitals.Gateway.Ingest.Ble;

namespace Vitals.Gateway.Tests.Ingest.Ble;

internal sealed class FakeService(FakeDevice device, ushort uuid) : GattService
{
    private readonly List<FakeCharacteristic> _characteristics = [];

    public override BluetoothUuid Uuid { get; } = BluetoothUuid.FromShortId(uuid);

    public FakeDevice FakeDevice => device;

    public FakeCharacteristic Add(ushort characteristic, GattCharacteristicProperties properties)
    {
        var c = new FakeCharacteristic(this, characteristic, properties);
        _characteristics.Add(c);
        return c;
    }

    public override Task<IReadOnlyList<GattCharacteristic>> GetCharacteristicsAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<GattCharacteristic>>([.. _characteristics]);
}
