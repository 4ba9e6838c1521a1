using Vitals.Gateway.Ingest.Ble;

namespace Vitals.Gateway.Tests.Ingest.Ble;

internal sealed class FakeGattServer(FakeDevice device) : RemoteGattServer
{
    public bool Connected { get; set; }

    public int Connects { get; private set; }

    public override bool IsConnected => Connected;

    public override Task ConnectAsync(CancellationToken ct)
    {
        device.Bluetooth.Record("connect");
        Connects++;
        Connected = true;
        device.OnConnected?.Invoke();
        return Task.CompletedTask;
    }

    public override void Disconnect() => Connected = false;

    public override Task<IReadOnlyList<GattService>> GetPrimaryServicesAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<GattService>>([.. device.Services]);
}
