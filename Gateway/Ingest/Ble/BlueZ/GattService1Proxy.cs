using Tmds.DBus.Protocol;

namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>org.bluez.GattService1: properties only (UUID, Primary, Device); its characteristics are child objects.</summary>
internal sealed class GattService1Proxy(DBusConnection connection, string path, TimeSpan timeout)
    : DBusProxy(connection, BlueZNames.Service, path, BlueZNames.GattService1, timeout)
{
    private readonly PropertiesProxy _properties = new(connection, BlueZNames.Service, path, BlueZNames.GattService1, timeout);

    public Task<Dictionary<string, VariantValue>> GetAllAsync(CancellationToken ct) => _properties.GetAllAsync(ct);
}
