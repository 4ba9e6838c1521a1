using Tmds.DBus.Protocol;

namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>org.bluez.GattCharacteristic1. Values of notifications arrive as PropertiesChanged on <c>Value</c>.</summary>
internal sealed class GattCharacteristic1Proxy(DBusConnection connection, string path, TimeSpan timeout)
    : DBusProxy(connection, BlueZNames.Service, path, BlueZNames.GattCharacteristic1, timeout)
{
    public Task<byte[]> ReadValueAsync(CancellationToken ct) =>
        CallAsync("ReadValue", static (m, _) => m.GetBodyReader().ReadArrayOfByte(), ct, "a{sv}",
            (ref MessageWriter w) => w.WriteDictionary(new Dictionary<string, VariantValue>()));

    /// <summary>type "request": a Write Request, answered by the device (Write With Response).</summary>
    public Task WriteValueAsync(ReadOnlyMemory<byte> value, CancellationToken ct) =>
        CallAsync("WriteValue", ct, "aya{sv}", (ref MessageWriter w) =>
        {
            w.WriteArray(value.Span);
            w.WriteDictionary(new Dictionary<string, VariantValue> { ["type"] = VariantValue.String("request") });
        });

    /// <summary>Covers notify and indicate; a session belongs to this D-Bus connection and survives link loss (bluez.md).</summary>
    public Task StartNotifyAsync(CancellationToken ct) => CallAsync("StartNotify", ct);

}
