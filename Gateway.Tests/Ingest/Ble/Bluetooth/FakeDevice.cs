using Vitals.Gateway.Ingest.Ble;

namespace Vitals.Gateway.Tests.Ingest.Ble;

internal sealed class FakeDevice : BluetoothDevice
{
    private readonly FakeGattServer _gatt;
    private readonly List<FakeService> _services = [];

    public FakeDevice(FakeBluetooth bluetooth, string id)
    {
        Bluetooth = bluetooth;
        Id = id;
        _gatt = new FakeGattServer(this);
    }

    public FakeBluetooth Bluetooth { get; }

    public override string Id { get; }

    public override string? Name => "fake";

    public override RemoteGattServer Gatt => _gatt;

    public override bool IsPaired => true;

    public int? Battery { get; set; }

    public override int? BatteryPercent => Battery;

    /// <summary>Runs once the link is up and services are resolved, before ConnectAsync returns (stored indications).</summary>
    public Action? OnConnected { get; set; }

    public IReadOnlyList<FakeService> Services => _services;

    public FakeCharacteristic AddCharacteristic(ushort service, ushort uuid, GattCharacteristicProperties properties)
    {
        var s = _services.FirstOrDefault(x => x.Uuid == BluetoothUuid.FromShortId(service));
        if (s is null)
        {
            s = new FakeService(this, service);
            _services.Add(s);
        }
        return s.Add(uuid, properties);
    }

    public override Task PairAsync(Func<CancellationToken, Task<uint?>>? passkey, CancellationToken ct) => Task.CompletedTask;

    public void DropLink()
    {
        _gatt.Connected = false;
        Bluetooth.Record("link lost");
        OnGattServerDisconnected();
    }
}
