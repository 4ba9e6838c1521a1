using Tmds.DBus.Protocol;

namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>A characteristic object of BlueZ (a path such as <c>.../service000a/char000b</c>, whose suffixes are ATT handles).</summary>
internal sealed class BlueZCharacteristic : GattCharacteristic
{
    private readonly GattCharacteristic1Proxy _proxy;

    public BlueZCharacteristic(BlueZService service, string path, BluetoothUuid uuid, GattCharacteristicProperties properties, DBusConnection connection, TimeSpan timeout)
    {
        BlueZService = service;
        Path = path;
        Uuid = uuid;
        Properties = properties;
        _proxy = new GattCharacteristic1Proxy(connection, path, timeout);
    }

    public string Path { get; }

    public BlueZService BlueZService { get; }

    public override BluetoothUuid Uuid { get; }

    public override GattCharacteristicProperties Properties { get; }

    public override Task<byte[]> ReadValueAsync(CancellationToken ct) => _proxy.ReadValueAsync(ct);

    public override Task WriteValueWithResponseAsync(ReadOnlyMemory<byte> value, CancellationToken ct) => _proxy.WriteValueAsync(value, ct);

    public override async Task StartNotificationsAsync(CancellationToken ct)
    {
        try
        {
            await _proxy.StartNotifyAsync(ct).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException e) when (e.ErrorName is BlueZNames.ErrorInProgress or BlueZNames.ErrorAlreadyExists)
        {
            // This connection already holds a notify session for the characteristic: it is armed.
        }
    }

    internal void RaiseValueChanged(byte[] value, DateTimeOffset receivedAt) =>
        OnCharacteristicValueChanged(new GattValueChangedEventArgs(value, receivedAt));

    /// <summary>BlueZ's Flags strings (GattCharacteristic1.Flags) as the Core spec's property bits.</summary>
    public static GattCharacteristicProperties ParseFlags(IEnumerable<string> flags)
    {
        var result = GattCharacteristicProperties.None;
        foreach (var flag in flags)
        {
            result |= flag switch
            {
                "broadcast" => GattCharacteristicProperties.Broadcast,
                "read" or "encrypt-read" or "encrypt-authenticated-read" or "secure-read" => GattCharacteristicProperties.Read,
                "write-without-response" => GattCharacteristicProperties.WriteWithoutResponse,
                "write" or "encrypt-write" or "encrypt-authenticated-write" or "secure-write" => GattCharacteristicProperties.Write,
                "notify" => GattCharacteristicProperties.Notify,
                "indicate" => GattCharacteristicProperties.Indicate,
                "authenticated-signed-writes" => GattCharacteristicProperties.AuthenticatedSignedWrites,
                "extended-properties" => GattCharacteristicProperties.ExtendedProperties,
                _ => GattCharacteristicProperties.None,
            };
        }
        return result;
    }
}
