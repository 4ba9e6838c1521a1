using Tmds.DBus.Protocol;

namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>
/// A hand-written proxy for one interface of one object. Every call has a timeout: CallMethodAsync has none, and a
/// bluetoothd that hangs must not hang the gateway (bluez.md pitfalls). On a timeout the caller compensates.
/// </summary>
internal abstract class DBusProxy(DBusConnection connection, string destination, string path, string @interface, TimeSpan timeout)
{
    public DBusConnection Connection { get; } = connection;

    public string Destination { get; } = destination;

    public string Path { get; } = path;

    public string Interface { get; } = @interface;

    public TimeSpan Timeout { get; } = timeout;

    protected Task CallAsync(string member, CancellationToken ct, string? signature = null, WriteArgs? args = null) =>
        CallAsync(Interface, member, ct, signature, args, Timeout);

    protected Task CallAsync(string @interface, string member, CancellationToken ct, string? signature, WriteArgs? args, TimeSpan timeout)
    {
        var message = Create(@interface, member, signature, args);
        return Connection.CallMethodAsync(message).WaitAsync(timeout, ct);
    }

    protected Task<T> CallAsync<T>(string member, MessageValueReader<T> reader, CancellationToken ct, string? signature = null, WriteArgs? args = null) =>
        CallAsync(Interface, member, reader, ct, signature, args);

    protected Task<T> CallAsync<T>(string @interface, string member, MessageValueReader<T> reader, CancellationToken ct, string? signature = null, WriteArgs? args = null)
    {
        var message = Create(@interface, member, signature, args);
        return Connection.CallMethodAsync(message, reader).WaitAsync(Timeout, ct);
    }

    private MessageBuffer Create(string @interface, string member, string? signature, WriteArgs? args)
    {
        var writer = Connection.GetMessageWriter();
        try
        {
            writer.WriteMethodCallHeader(destination: Destination, path: Path, @interface: @interface, member: member, signature: signature);
            args?.Invoke(ref writer);
            return writer.CreateMessage();
        }
        finally
        {
            writer.Dispose();
        }
    }
}
