using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>
/// The signals a BlueZ client follows, routed to the object cache: ObjectManager InterfacesAdded/Removed and
/// PropertiesChanged under <c>/org/bluez</c>, and NameOwnerChanged of <c>org.bluez</c> (a bluetoothd restart). Signals
/// from anyone but the current owner of <c>org.bluez</c> are ignored: a client may emit look-alikes on the bus.
/// </summary>
internal sealed class BlueZSignals(DBusConnection connection, BlueZObjectCache cache, TimeProvider time, ILogger logger) : IDisposable
{
    private readonly List<IDisposable> _subscriptions = [];
    private string? _owner;

    /// <summary>The unique name owning <c>org.bluez</c>, or null while bluetoothd is not running.</summary>
    public string? Owner
    {
        get => Volatile.Read(ref _owner);
        set => Volatile.Write(ref _owner, value);
    }

    /// <summary>Raised for a device object the cache did not know.</summary>
    public event Action<BlueZDevice>? DeviceAdded;

    /// <summary>A device object went (InterfacesRemoved on Device1): RemoveDevice, or a temporary device not seen for TemporaryTimeout.</summary>
    public event Action<BlueZDevice>? DeviceRemoved;

    /// <summary>A known device's advertised name, RSSI or UUIDs changed (PropertiesChanged on Device1).</summary>
    public event Action<BlueZDevice>? Advertised;

    /// <summary>The owner of <c>org.bluez</c> changed (old, new; empty: none), after <see cref="Owner"/> is updated.</summary>
    public event Action<string, string>? OwnerChanged;

    /// <summary>
    /// Subscribes BEFORE the caller reads GetManagedObjects, so that nothing between the snapshot and the first
    /// signal is missed (D-Bus specification, ObjectManager; docs/bluez.md).
    /// </summary>
    public async Task SubscribeAsync()
    {
        _subscriptions.Add(await connection.AddMatchAsync(
            new MatchRule { Type = MessageType.Signal, Sender = BlueZNames.Bus, Interface = BlueZNames.Bus, Member = "NameOwnerChanged", Arg0 = BlueZNames.Service },
            static (m, _) => BusProxy.ReadNameOwnerChanged(m),
            n => Guard(n, change => OnNameOwnerChanged(change.OldOwner, change.NewOwner)),
            emitOnCapturedContext: false, ObserverFlags.None).ConfigureAwait(false));
        _subscriptions.Add(await connection.AddMatchAsync(
            new MatchRule { Type = MessageType.Signal, Interface = BlueZNames.ObjectManager, Member = "InterfacesAdded", Path = "/" },
            static (m, _) => (Added: ObjectManagerProxy.ReadInterfacesAdded(m), Sender: m.SenderAsString),
            n => Guard(n, added => OnInterfacesAdded(added.Sender, added.Added.Path, added.Added.Interfaces)),
            emitOnCapturedContext: false, ObserverFlags.None).ConfigureAwait(false));
        _subscriptions.Add(await connection.AddMatchAsync(
            new MatchRule { Type = MessageType.Signal, Interface = BlueZNames.ObjectManager, Member = "InterfacesRemoved", Path = "/" },
            static (m, _) => (Removed: ObjectManagerProxy.ReadInterfacesRemoved(m), Sender: m.SenderAsString),
            n => Guard(n, removed => OnInterfacesRemoved(removed.Sender, removed.Removed.Path, removed.Removed.Interfaces)),
            emitOnCapturedContext: false, ObserverFlags.None).ConfigureAwait(false));
        _subscriptions.Add(await connection.AddMatchAsync(
            new MatchRule { Type = MessageType.Signal, Interface = BlueZNames.Properties, Member = "PropertiesChanged", PathNamespace = BlueZNames.RootPath },
            // Stamped as the signal is read: the receipt time of a measurement is the gateway's, not the handler's.
            (m, _) => (Change: PropertiesProxy.ReadChange(m), At: time.GetUtcNow()),
            n => Guard(n, change => OnPropertiesChanged(change.Change, change.At)),
            emitOnCapturedContext: false, ObserverFlags.None).ConfigureAwait(false));
    }

    public void Dispose()
    {
        foreach (var s in _subscriptions) s.Dispose();
    }

    private void Guard<T>(Notification<T> notification, Action<T> handle)
    {
        if (!notification.HasValue)
        {
            // The connection closed or a reader failed; Disconnected reports the former to the owner of the connection.
            return;
        }
        try
        {
            handle(notification.Value);
        }
        catch (Exception e)
        {
            // An exception escaping a handler would drop the whole bus connection (docs/bluez.md, Tmds.DBus pitfalls).
            BlueZLog.SignalFailed(logger, e);
        }
    }

    private bool FromOwner(string? sender) => sender is null || sender == Owner;

    private void OnNameOwnerChanged(string oldOwner, string newOwner)
    {
        BlueZLog.OwnerChanged(logger, oldOwner.Length == 0 ? "(none)" : oldOwner, newOwner.Length == 0 ? "(none)" : newOwner);
        Owner = newOwner.Length == 0 ? null : newOwner;
        OwnerChanged?.Invoke(oldOwner, newOwner);
    }

    private void OnInterfacesAdded(string? sender, string path, Dictionary<string, Dictionary<string, VariantValue>> interfaces)
    {
        if (!FromOwner(sender)) return;
        if (cache.Add(path, interfaces) is { } added) DeviceAdded?.Invoke(added);
    }

    private void OnInterfacesRemoved(string? sender, string path, string[] interfaces)
    {
        if (FromOwner(sender) && cache.Remove(path, interfaces) is { } removed) DeviceRemoved?.Invoke(removed);
    }

    private void OnPropertiesChanged(PropertiesChange change, DateTimeOffset receivedAt)
    {
        if (!FromOwner(change.Sender)) return;
        if (change.Interface == BlueZNames.GattCharacteristic1
            && change.Changed.TryGetValue("Value", out var value)
            && value.Type == VariantValueType.Array)
        {
            // One signal per PDU, also when the bytes repeat (bluez.md): every signal is a measurement.
            cache.Characteristic(change.Path)?.RaiseValueChanged(value.GetArray<byte>(), receivedAt);
            return;
        }
        cache.Apply(change);
        if (change.Interface == BlueZNames.Device1
            && (change.Changed.ContainsKey("RSSI") || change.Changed.ContainsKey("UUIDs") || change.Changed.ContainsKey("Name"))
            && cache.Device(change.Path) is { } device)
        {
            Advertised?.Invoke(device);
        }
    }
}
