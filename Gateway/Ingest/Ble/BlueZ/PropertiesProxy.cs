using Tmds.DBus.Protocol;

namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>org.freedesktop.DBus.Properties of one object, for one of its interfaces.</summary>
internal sealed class PropertiesProxy(DBusConnection connection, string destination, string path, string @interface, TimeSpan timeout)
    : DBusProxy(connection, destination, path, BlueZNames.Properties, timeout)
{
    public string Target { get; } = @interface;

    public Task<VariantValue> GetAsync(string name, CancellationToken ct) =>
        CallAsync("Get", static (m, _) => m.GetBodyReader().ReadVariantValue(), ct, "ss", (ref MessageWriter w) =>
        {
            w.WriteString(Target);
            w.WriteString(name);
        });

    public Task<Dictionary<string, VariantValue>> GetAllAsync(CancellationToken ct) =>
        CallAsync("GetAll", static (m, _) => m.GetBodyReader().ReadDictionaryOfStringToVariantValue(), ct, "s", (ref MessageWriter w) => w.WriteString(Target));

    public Task SetAsync(string name, VariantValue value, CancellationToken ct) =>
        CallAsync("Set", ct, "ssv", (ref MessageWriter w) =>
        {
            w.WriteString(Target);
            w.WriteString(name);
            w.WriteVariant(value);
        });

    /// <summary>Reads a PropertiesChanged signal (<c>s a{sv} as</c>) with the path it came from.</summary>
    public static PropertiesChange ReadChange(Message message)
    {
        var reader = message.GetBodyReader();
        var @interface = reader.ReadString();
        var changed = reader.ReadDictionaryOfStringToVariantValue();
        var invalidated = reader.ReadArrayOfString();
        return new PropertiesChange(message.PathAsString ?? "", @interface, changed, invalidated, message.SenderAsString);
    }
}
