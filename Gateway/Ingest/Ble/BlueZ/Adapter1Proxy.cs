using Tmds.DBus.Protocol;

namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>org.bluez.Adapter1 (<c>/org/bluez/hci0</c>).</summary>
internal sealed class Adapter1Proxy(DBusConnection connection, string path, TimeSpan timeout)
    : DBusProxy(connection, BlueZNames.Service, path, BlueZNames.Adapter1, timeout)
{
    private readonly PropertiesProxy _properties = new(connection, BlueZNames.Service, path, BlueZNames.Adapter1, timeout);

    /// <summary>Filters of all clients are merged by BlueZ: a device seen in discovery is still checked by the caller.</summary>
    public Task SetDiscoveryFilterAsync(IEnumerable<string> uuids, CancellationToken ct)
    {
        var filter = new Dictionary<string, VariantValue>
        {
            ["UUIDs"] = VariantValue.Array(uuids.ToArray()),
            ["Transport"] = VariantValue.String("le"),
            ["DuplicateData"] = VariantValue.Bool(false),
        };
        return CallAsync("SetDiscoveryFilter", ct, "a{sv}", (ref MessageWriter w) => w.WriteDictionary(filter));
    }

    public Task RemoveDeviceAsync(string devicePath, CancellationToken ct) =>
        CallAsync("RemoveDevice", ct, "o", (ref MessageWriter w) => w.WriteObjectPath(devicePath));

    public Task StartDiscoveryAsync(CancellationToken ct) => CallAsync("StartDiscovery", ct);

    public Task SetPoweredAsync(bool powered, CancellationToken ct) => _properties.SetAsync("Powered", VariantValue.Bool(powered), ct);

    public async Task<bool> GetPoweredAsync(CancellationToken ct) => (await _properties.GetAsync("Powered", ct).ConfigureAwait(false)).GetBool();
}
