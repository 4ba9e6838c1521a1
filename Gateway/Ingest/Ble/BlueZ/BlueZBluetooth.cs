using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>
/// The BlueZ implementation of <see cref="Bluetooth"/> over one D-Bus connection. It keeps a cache of BlueZ's objects
/// (subscribed first, then GetManagedObjects, bluez.md), routes PropertiesChanged to devices and characteristics, and
/// watches the owner of <c>org.bluez</c>: when bluetoothd restarts it re-reads every object, registers the agent again,
/// powers the adapter (Powered is not persistent) and re-applies the discovery filter, then raises
/// <see cref="Bluetooth.StackRestarted"/> so that sessions re-arm notifications and reconnect.
/// </summary>
internal sealed class BlueZBluetooth : Bluetooth
{
    private static readonly TimeSpan ResyncRetryMax = TimeSpan.FromSeconds(5);

    private readonly DBusConnection _connection;
    private readonly ILogger _logger;
    private readonly string _adapterName;
    private readonly string _adapterPath;
    private readonly string _busName;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _sync = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private readonly List<IDisposable> _subscriptions = [];
    private readonly Dictionary<string, Dictionary<string, Dictionary<string, VariantValue>>> _objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BlueZDevice> _devices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BlueZService> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BlueZCharacteristic> _characteristics = new(StringComparer.Ordinal);
    private string? _owner;
    private volatile IReadOnlyCollection<BluetoothUuid>? _discovery;
    private Task _disconnected = Task.CompletedTask;

    private BlueZBluetooth(DBusConnection connection, string busName, string adapter, TimeSpan callTimeout, TimeSpan connectTimeout, TimeProvider time, ILogger logger)
    {
        _connection = connection;
        _busName = busName;
        _adapterName = adapter;
        _adapterPath = BlueZNames.RootPath + "/" + adapter;
        CallTimeout = callTimeout;
        ConnectTimeout = connectTimeout;
        Time = time;
        _logger = logger;
        Agent = new BlueZAgent(logger);
    }

    public TimeSpan CallTimeout { get; }

    public TimeSpan ConnectTimeout { get; }

    public TimeProvider Time { get; }

    public BlueZAgent Agent { get; }

    /// <summary>Completes when the D-Bus connection is lost (not when bluetoothd restarts: that is handled here).</summary>
    public override Task Disconnected => _disconnected;

    /// <summary>Connects to the bus (<paramref name="address"/> empty: the system bus) and synchronises with BlueZ.</summary>
    public static async Task<BlueZBluetooth> ConnectAsync(string? address, string adapter, TimeSpan callTimeout, TimeSpan connectTimeout,
        TimeProvider time, ILogger logger, CancellationToken ct)
    {
        var busAddress = string.IsNullOrWhiteSpace(address) ? DBusAddress.System : address;
        if (string.IsNullOrEmpty(busAddress))
        {
            throw new InvalidOperationException("no system bus address is known on this machine (set Ble:DBusAddress)");
        }
        var connection = new DBusConnection(busAddress);
        var bluetooth = new BlueZBluetooth(connection, string.IsNullOrWhiteSpace(address) ? "system bus" : busAddress, adapter, callTimeout, connectTimeout, time, logger);
        try
        {
            await connection.ConnectAsync().AsTask().WaitAsync(callTimeout, time, ct).ConfigureAwait(false);
            bluetooth._disconnected = connection.DisconnectedAsync();
            connection.AddMethodHandler(bluetooth.Agent);
            await bluetooth.SubscribeAsync().ConfigureAwait(false);
            await bluetooth.SynchroniseAsync(restarted: false, ct).ConfigureAwait(false);
            return bluetooth;
        }
        catch
        {
            await bluetooth.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override async Task<bool> GetAvailabilityAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _owner) is null)
        {
            return false;
        }
        try
        {
            return await new Adapter1Proxy(_connection, _adapterPath, CallTimeout).GetPoweredAsync(ct).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException)
        {
            return false;
        }
    }

    public override async Task StartDiscoveryAsync(IReadOnlyCollection<BluetoothUuid> services, CancellationToken ct)
    {
        _discovery = services;
        await ApplyDiscoveryAsync(ct).ConfigureAwait(false);
    }

    public override async Task StopDiscoveryAsync(CancellationToken ct)
    {
        _discovery = null;
        try
        {
            await new Adapter1Proxy(_connection, _adapterPath, CallTimeout).StopDiscoveryAsync(ct).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException)
        {
            // Not discovering (or the adapter is gone): nothing to stop.
        }
    }

    public override BluetoothDevice? GetDevice(string id)
    {
        lock (_gate)
        {
            return _devices.GetValueOrDefault(BlueZNames.DevicePath(_adapterPath, id.ToUpperInvariant()));
        }
    }

    public override IReadOnlyList<BluetoothDevice> GetDevices()
    {
        lock (_gate)
        {
            return [.. _devices.Values];
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }
        await _disposed.CancelAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _owner) is not null && !_disconnected.IsCompleted)
        {
            try
            {
                // BlueZ drops a departed client's agent itself; unregistering says so at once.
                await new AgentManager1Proxy(_connection, TimeSpan.FromSeconds(1)).UnregisterAgentAsync(BlueZAgent.ObjectPath, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is DBusExceptionBase or TimeoutException or ObjectDisposedException)
            {
            }
        }
        foreach (var s in _subscriptions) s.Dispose();
        _connection.Dispose();
        _disposed.Dispose();
    }

    // ---- cache queries (used by devices, services and characteristics)

    internal string? DeviceString(string path, string name)
    {
        lock (_gate)
        {
            return Property(path, BlueZNames.Device1, name) is { Type: VariantValueType.String } v ? v.GetString() : null;
        }
    }

    internal bool DeviceBool(string path, string name)
    {
        lock (_gate)
        {
            return Property(path, BlueZNames.Device1, name) is { Type: VariantValueType.Bool } v && v.GetBool();
        }
    }

    internal IReadOnlyList<GattService> ServicesOf(BlueZDevice device)
    {
        lock (_gate)
        {
            return [.. _services.Values.Where(s => ReferenceEquals(s.Device, device) && IsPrimary(s.Path)).OrderBy(s => s.Path, StringComparer.Ordinal)];
        }
    }

    internal IReadOnlyList<GattCharacteristic> CharacteristicsOf(BlueZService service)
    {
        lock (_gate)
        {
            return [.. _characteristics.Values.Where(c => ReferenceEquals(c.BlueZService, service)).OrderBy(c => c.Path, StringComparer.Ordinal)];
        }
    }

    /// <summary>Re-reads one device's properties (a safety net while waiting for ServicesResolved).</summary>
    internal async Task RefreshDeviceAsync(BlueZDevice device, CancellationToken ct)
    {
        Dictionary<string, VariantValue> properties;
        try
        {
            properties = await device.GetAllAsync(ct).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException)
        {
            return;
        }
        ApplyChange(new PropertiesChange(device.Path, BlueZNames.Device1, properties, [], null));
    }

    // ---- synchronisation

    private async Task SubscribeAsync()
    {
        // Subscribed before GetManagedObjects so that nothing between the snapshot and the first signal is missed.
        _subscriptions.Add(await _connection.AddMatchAsync(
            new MatchRule { Type = MessageType.Signal, Sender = BlueZNames.Bus, Interface = BlueZNames.Bus, Member = "NameOwnerChanged", Arg0 = BlueZNames.Service },
            static (m, _) => BusProxy.ReadNameOwnerChanged(m),
            n => Guard(n, change => OnNameOwnerChanged(change.OldOwner, change.NewOwner)),
            emitOnCapturedContext: false, ObserverFlags.None).ConfigureAwait(false));
        _subscriptions.Add(await _connection.AddMatchAsync(
            new MatchRule { Type = MessageType.Signal, Interface = BlueZNames.ObjectManager, Member = "InterfacesAdded", Path = "/" },
            static (m, _) => (Added: ObjectManagerProxy.ReadInterfacesAdded(m), Sender: m.SenderAsString),
            n => Guard(n, added => OnInterfacesAdded(added.Sender, added.Added.Path, added.Added.Interfaces)),
            emitOnCapturedContext: false, ObserverFlags.None).ConfigureAwait(false));
        _subscriptions.Add(await _connection.AddMatchAsync(
            new MatchRule { Type = MessageType.Signal, Interface = BlueZNames.ObjectManager, Member = "InterfacesRemoved", Path = "/" },
            static (m, _) => (Removed: ObjectManagerProxy.ReadInterfacesRemoved(m), Sender: m.SenderAsString),
            n => Guard(n, removed => OnInterfacesRemoved(removed.Sender, removed.Removed.Path, removed.Removed.Interfaces)),
            emitOnCapturedContext: false, ObserverFlags.None).ConfigureAwait(false));
        _subscriptions.Add(await _connection.AddMatchAsync(
            new MatchRule { Type = MessageType.Signal, Interface = BlueZNames.Properties, Member = "PropertiesChanged", PathNamespace = BlueZNames.RootPath },
            (m, _) => (Change: PropertiesProxy.ReadChange(m), At: Time.GetUtcNow()),
            n => Guard(n, change => OnPropertiesChanged(change.Change, change.At)),
            emitOnCapturedContext: false, ObserverFlags.None).ConfigureAwait(false));
    }

    private async Task SynchroniseAsync(bool restarted, CancellationToken ct)
    {
        await _sync.WaitAsync(ct).ConfigureAwait(false);
        List<BlueZDevice> added;
        try
        {
            var owner = await new BusProxy(_connection, CallTimeout).GetNameOwnerAsync(BlueZNames.Service, ct).ConfigureAwait(false);
            Volatile.Write(ref _owner, owner);
            if (owner is null)
            {
                BlueZLog.BlueZMissing(_logger);
                MarkAllDisconnected();
                return;
            }
            var objects = await new ObjectManagerProxy(_connection, CallTimeout).GetManagedObjectsAsync(ct).ConfigureAwait(false);
            added = Replace(objects);
            await RegisterAgentAsync(ct).ConfigureAwait(false);
            if (HasAdapter())
            {
                // Powered is not persistent across bluetoothd restarts (bluez.md).
                await new Adapter1Proxy(_connection, _adapterPath, CallTimeout).SetPoweredAsync(true, ct).ConfigureAwait(false);
                await ApplyDiscoveryAsync(ct).ConfigureAwait(false);
            }
            else
            {
                BlueZLog.AdapterMissing(_logger, _adapterName);
            }
            BlueZLog.Synchronised(_logger, _adapterName, added.Count);
            if (restarted) BlueZLog.BusConnected(_logger, _busName, owner);
        }
        finally
        {
            _sync.Release();
        }
        foreach (var d in added) OnDeviceAdded(d);
        if (restarted) OnStackRestarted();
    }

    private async Task RegisterAgentAsync(CancellationToken ct)
    {
        var manager = new AgentManager1Proxy(_connection, CallTimeout);
        try
        {
            await manager.RegisterAgentAsync(BlueZAgent.ObjectPath, BlueZAgent.Capability, ct).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException e) when (e.ErrorName == BlueZNames.ErrorAlreadyExists)
        {
        }
        try
        {
            await manager.RequestDefaultAgentAsync(BlueZAgent.ObjectPath, ct).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException e)
        {
            // Pairing will be refused (AuthenticationRejected), bonded devices still connect.
            BlueZLog.AgentRegistrationFailed(_logger, e);
        }
    }

    private async Task ApplyDiscoveryAsync(CancellationToken ct)
    {
        if (_discovery is not { } services || Volatile.Read(ref _owner) is null)
        {
            return;
        }
        var adapter = new Adapter1Proxy(_connection, _adapterPath, CallTimeout);
        await adapter.SetDiscoveryFilterAsync(services.Select(s => s.ToString()), ct).ConfigureAwait(false);
        try
        {
            await adapter.StartDiscoveryAsync(ct).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException e) when (e.ErrorName == BlueZNames.ErrorInProgress)
        {
            // Already discovering.
        }
    }

    private void OnNameOwnerChanged(string oldOwner, string newOwner)
    {
        BlueZLog.OwnerChanged(_logger, oldOwner.Length == 0 ? "(none)" : oldOwner, newOwner.Length == 0 ? "(none)" : newOwner);
        Volatile.Write(ref _owner, newOwner.Length == 0 ? null : newOwner);
        if (newOwner.Length == 0)
        {
            MarkAllDisconnected();
            return;
        }
        _ = ResynchroniseAsync();
    }

    private async Task ResynchroniseAsync()
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (!_disposed.IsCancellationRequested)
        {
            try
            {
                await SynchroniseAsync(restarted: true, _disposed.Token).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is DBusExceptionBase or TimeoutException or InvalidOperationException)
            {
                BlueZLog.SyncFailed(_logger, e, delay);
            }
            try
            {
                await Task.Delay(delay, Time, _disposed.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, ResyncRetryMax.Ticks));
        }
    }

    private void Guard<T>(Notification<T> notification, Action<T> handle)
    {
        if (!notification.HasValue)
        {
            // The connection closed or a reader failed; Disconnected reports the former to the owner of this instance.
            return;
        }
        try
        {
            handle(notification.Value);
        }
        catch (Exception e)
        {
            BlueZLog.SignalFailed(_logger, e);
        }
    }

    private bool FromOwner(string? sender) => sender is null || sender == Volatile.Read(ref _owner);

    private void OnInterfacesAdded(string? sender, string path, Dictionary<string, Dictionary<string, VariantValue>> interfaces)
    {
        if (!FromOwner(sender)) return;
        BlueZDevice? added = null;
        lock (_gate)
        {
            if (!_objects.TryGetValue(path, out var existing))
            {
                _objects[path] = existing = new(StringComparer.Ordinal);
            }
            foreach (var (name, properties) in interfaces) existing[name] = properties;
            added = Index(path);
        }
        if (added is not null) OnDeviceAdded(added);
    }

    private void OnInterfacesRemoved(string? sender, string path, string[] interfaces)
    {
        if (!FromOwner(sender)) return;
        string? removedDevice = null;
        lock (_gate)
        {
            if (!_objects.TryGetValue(path, out var existing)) return;
            foreach (var name in interfaces) existing.Remove(name);
            if (interfaces.Contains(BlueZNames.GattCharacteristic1)) _characteristics.Remove(path);
            if (interfaces.Contains(BlueZNames.GattService1)) _services.Remove(path);
            if (interfaces.Contains(BlueZNames.Device1) && _devices.Remove(path, out var device))
            {
                removedDevice = device.Id;
            }
            if (existing.Count == 0) _objects.Remove(path);
        }
        if (removedDevice is not null) OnDeviceRemoved(removedDevice);
    }

    private void OnPropertiesChanged(PropertiesChange change, DateTimeOffset receivedAt)
    {
        if (!FromOwner(change.Sender)) return;
        if (change.Interface == BlueZNames.GattCharacteristic1
            && change.Changed.TryGetValue("Value", out var value)
            && value.Type == VariantValueType.Array)
        {
            BlueZCharacteristic? characteristic;
            lock (_gate)
            {
                characteristic = _characteristics.GetValueOrDefault(change.Path);
            }
            // One signal per PDU, also when the bytes repeat (bluez.md): every signal is a measurement.
            characteristic?.RaiseValueChanged(value.GetArray<byte>(), receivedAt);
            return;
        }
        ApplyChange(change);
    }

    private void ApplyChange(PropertiesChange change)
    {
        BlueZDevice? device = null;
        bool connected = false, resolved = false, wasConnected = false;
        lock (_gate)
        {
            if (!_objects.TryGetValue(change.Path, out var interfaces) || !interfaces.TryGetValue(change.Interface, out var properties))
            {
                return;
            }
            if (change.Interface == BlueZNames.Device1)
            {
                wasConnected = properties.TryGetValue("Connected", out var c) && c.GetBool();
            }
            foreach (var (name, v) in change.Changed) properties[name] = v;
            foreach (var name in change.Invalidated) properties.Remove(name);
            if (change.Interface == BlueZNames.Device1 && _devices.TryGetValue(change.Path, out device))
            {
                connected = properties.TryGetValue("Connected", out var c2) && c2.GetBool();
                resolved = properties.TryGetValue("ServicesResolved", out var r) && r.GetBool();
            }
        }
        device?.OnLinkChanged(connected, resolved, wasConnected);
    }

    /// <summary>Replaces the cache with a fresh snapshot; returns the devices not known before.</summary>
    private List<BlueZDevice> Replace(Dictionary<string, Dictionary<string, Dictionary<string, VariantValue>>> objects)
    {
        var added = new List<BlueZDevice>();
        List<(BlueZDevice Device, bool Connected, bool Resolved, bool WasConnected)> links = [];
        lock (_gate)
        {
            var wasConnected = _devices.ToDictionary(d => d.Key, d => DeviceBool(d.Key, "Connected"), StringComparer.Ordinal);
            _objects.Clear();
            _services.Clear();
            _characteristics.Clear();
            foreach (var (path, interfaces) in objects) _objects[path] = interfaces;
            foreach (var path in _devices.Keys.Where(p => !objects.TryGetValue(p, out var i) || !i.ContainsKey(BlueZNames.Device1)).ToList())
            {
                _devices.Remove(path);
            }
            // Devices before services before characteristics: each level looks up its parent.
            foreach (var path in objects.Keys.OrderBy(p => p.Length).ThenBy(p => p, StringComparer.Ordinal))
            {
                if (Index(path) is { } d) added.Add(d);
            }
            foreach (var (path, device) in _devices)
            {
                links.Add((device, DeviceBool(path, "Connected"), DeviceBool(path, "ServicesResolved"), wasConnected.GetValueOrDefault(path)));
            }
        }
        foreach (var l in links) l.Device.OnLinkChanged(l.Connected, l.Resolved, l.WasConnected);
        return added;
    }

    /// <summary>Creates the wrapper for a newly seen object; returns a device that is new. Caller holds the lock.</summary>
    private BlueZDevice? Index(string path)
    {
        var interfaces = _objects[path];
        if (interfaces.TryGetValue(BlueZNames.Device1, out var device)
            && !_devices.ContainsKey(path)
            && path.StartsWith(_adapterPath + "/", StringComparison.Ordinal)
            && device.TryGetValue("Address", out var address))
        {
            var created = new BlueZDevice(this, path, address.GetString().ToUpperInvariant(), _connection, _logger);
            _devices[path] = created;
            return created;
        }
        if (interfaces.TryGetValue(BlueZNames.GattService1, out var service)
            && !_services.ContainsKey(path)
            && service.TryGetValue("Device", out var owner)
            && _devices.TryGetValue(owner.GetObjectPathAsString(), out var parent)
            && service.TryGetValue("UUID", out var uuid)
            && BluetoothUuid.TryParse(uuid.GetString(), out var serviceUuid))
        {
            _services[path] = new BlueZService(parent, path, serviceUuid);
        }
        if (interfaces.TryGetValue(BlueZNames.GattCharacteristic1, out var characteristic)
            && !_characteristics.ContainsKey(path)
            && characteristic.TryGetValue("Service", out var servicePath)
            && _services.TryGetValue(servicePath.GetObjectPathAsString(), out var parentService)
            && characteristic.TryGetValue("UUID", out var charUuid)
            && BluetoothUuid.TryParse(charUuid.GetString(), out var characteristicUuid))
        {
            var flags = characteristic.TryGetValue("Flags", out var f) ? f.GetArray<string>() : [];
            _characteristics[path] = new BlueZCharacteristic(parentService, path, characteristicUuid, BlueZCharacteristic.ParseFlags(flags), _connection, CallTimeout);
        }
        return null;
    }

    private bool IsPrimary(string servicePath) =>
        Property(servicePath, BlueZNames.GattService1, "Primary") is not { Type: VariantValueType.Bool } p || p.GetBool();

    private bool HasAdapter()
    {
        lock (_gate)
        {
            return _objects.TryGetValue(_adapterPath, out var i) && i.ContainsKey(BlueZNames.Adapter1);
        }
    }

    private void MarkAllDisconnected()
    {
        List<(BlueZDevice Device, bool WasConnected)> devices;
        lock (_gate)
        {
            devices = [.. _devices.Values.Select(d => (d, DeviceBool(d.Path, "Connected")))];
            foreach (var interfaces in _objects.Values)
            {
                if (interfaces.TryGetValue(BlueZNames.Device1, out var p))
                {
                    p["Connected"] = VariantValue.Bool(false);
                    p["ServicesResolved"] = VariantValue.Bool(false);
                }
            }
        }
        foreach (var (device, wasConnected) in devices) device.OnLinkChanged(false, false, wasConnected);
    }

    private VariantValue? Property(string path, string @interface, string name) =>
        _objects.TryGetValue(path, out var interfaces)
        && interfaces.TryGetValue(@interface, out var properties)
        && properties.TryGetValue(name, out var value)
            ? value
            : (VariantValue?)null;
}
