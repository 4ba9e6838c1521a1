using Vitals.Gateway.Ingest.Ble;

namespace Vitals.Gateway.Tests.Ingest.Ble;

/// <summary>
/// A scripted Bluetooth stack behind the abstraction, for session tests that must not depend on timing. It behaves like
/// BlueZ where the session relies on it: a bonded device's characteristics exist while disconnected, a value sent while
/// nobody has notifications started is lost (BlueZ confirms indications itself), and it keeps a log of calls in order.
/// </summary>
internal sealed class FakeBluetooth : Bluetooth
{
    private readonly Dictionary<string, FakeDevice> _devices = new(StringComparer.Ordinal);

    public List<string> Log { get; } = [];

    public FakeDevice Add(string address)
    {
        var device = new FakeDevice(this, address);
        lock (_devices) _devices[address] = device;
        return device;
    }

    public void Record(string entry)
    {
        lock (Log) Log.Add(entry);
    }

    public List<string> LogSnapshot()
    {
        lock (Log) return [.. Log];
    }

    public override Task<bool> GetAvailabilityAsync(CancellationToken ct) => Task.FromResult(true);

    public override Task StartDiscoveryAsync(IReadOnlyCollection<BluetoothUuid> services, CancellationToken ct) => Task.CompletedTask;

    public override BluetoothDevice? GetDevice(string id)
    {
        lock (_devices) return _devices.GetValueOrDefault(id);
    }

    public override Task Disconnected => Task.Delay(Timeout.Infinite);

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
