using Tmds.DBus.Protocol;

namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>org.freedesktop.DBus.ObjectManager at BlueZ's root: every adapter, device, service and characteristic.</summary>
internal sealed class ObjectManagerProxy(DBusConnection connection, TimeSpan timeout)
    : DBusProxy(connection, BlueZNames.Service, "/", BlueZNames.ObjectManager, timeout)
{
    public Task<Dictionary<string, Dictionary<string, Dictionary<string, VariantValue>>>> GetManagedObjectsAsync(CancellationToken ct) =>
        CallAsync("GetManagedObjects", static (m, _) =>
        {
            var reader = m.GetBodyReader();
            var objects = new Dictionary<string, Dictionary<string, Dictionary<string, VariantValue>>>(StringComparer.Ordinal);
            var end = reader.ReadDictionaryStart();
            while (reader.HasNext(end))
            {
                var path = reader.ReadObjectPathAsString();
                objects[path] = ReadInterfaces(ref reader);
            }
            return objects;
        }, ct);

    /// <summary>InterfacesAdded: <c>o a{sa{sv}}</c>.</summary>
    public static (string Path, Dictionary<string, Dictionary<string, VariantValue>> Interfaces) ReadInterfacesAdded(Message message)
    {
        var reader = message.GetBodyReader();
        var path = reader.ReadObjectPathAsString();
        return (path, ReadInterfaces(ref reader));
    }

    /// <summary>InterfacesRemoved: <c>o as</c>.</summary>
    public static (string Path, string[] Interfaces) ReadInterfacesRemoved(Message message)
    {
        var reader = message.GetBodyReader();
        var path = reader.ReadObjectPathAsString();
        return (path, reader.ReadArrayOfString());
    }

    private static Dictionary<string, Dictionary<string, VariantValue>> ReadInterfaces(ref Reader reader)
    {
        var interfaces = new Dictionary<string, Dictionary<string, VariantValue>>(StringComparer.Ordinal);
        var end = reader.ReadDictionaryStart();
        while (reader.HasNext(end))
        {
            var name = reader.ReadString();
            interfaces[name] = reader.ReadDictionaryOfStringToVariantValue();
        }
        return interfaces;
    }
}
