using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>
/// The BlueZ implementation of <see cref="Bluetooth"/> over one D-Bus connection: BlueZ's objects live in a
/// <see cref="BlueZObjectCache"/> kept current by <see cref="BlueZSignals"/>. When bluetoothd restarts (the owner of
/// <c>org.bluez</c> changes) it re-reads every object, registers the agent again, powers the adapter (Powered is not
/// persistent) and re-applies the discovery filter, then raises <see cref="Bluetooth.StackRestarted"/> so that sessions
/// re-arm notifications and reconnect.
/// </summary>
internal sealed class BlueZBluetooth : Bluetooth
{
    // One client per bluetoothd: nothing to spread, so the resync waits the full ceiling (no jitter).
    private static readonly ExponentialBackoff ResyncBackoff = new(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5), jitter: static () => 1.0);

    private readonly DBusConnection _connection;
    private readonly ILogger _logger;
    private readonly string _adapterName;
    private readonly string _adapterPath;
    private readonly string _busName;
    private readonly SemaphoreSlim _sync = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private readonly BlueZSignals _signals;
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
        Cache = new BlueZObjectCache(
            _adapterPath,
            (path, address) => new BlueZDevice(this, path, address, connection, logger),
            (service, path, uuid, properties) => new BlueZCharacteristic(service, path, uuid, properties, connection, callTimeout));
        _signals = new BlueZSignals(connection, Cache, time, logger);
        _signals.DeviceAdded += OnDeviceSeen;
        _signals.Advertised += OnAdvertised;
        _signals.DeviceRemoved += OnDeviceRemoved;
        _signals.OwnerChanged += OnOwnerChanged;
    }

    public TimeSpan CallTimeout { get; }

    public TimeSpan ConnectTimeout { get; }

    public TimeProvider Time { get; }

    public BlueZAgent Agent { get; }

    public BlueZObjectCache Cache { get; }

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
            await bluetooth._signals.SubscribeAsync().ConfigureAwait(false);
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
        if (_signals.Owner is null)
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

    public override IReadOnlyList<BluetoothDevice> GetDevices() => Cache.Devices();

    public override BluetoothDevice? GetDevice(string id) => Cache.Device(BlueZNames.DevicePath(_adapterPath, id.ToUpperInvariant()));

    public override async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }
        await _disposed.CancelAsync().ConfigureAwait(false);
        if (_signals.Owner is not null && !_disconnected.IsCompleted)
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
        _signals.Dispose();
        _connection.Dispose();
        _disposed.Dispose();
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
        Cache.Apply(new PropertiesChange(device.Path, BlueZNames.Device1, properties, [], null));
    }

    /// <summary>Adapter1.RemoveDevice: the device object and its bond go (doc/org.bluez.Adapter.rst).</summary>
    internal Task RemoveDeviceAsync(string devicePath, CancellationToken ct) =>
        new Adapter1Proxy(_connection, _adapterPath, CallTimeout).RemoveDeviceAsync(devicePath, ct);

    private void OnDeviceSeen(BlueZDevice device)
    {
        OnDeviceAdded(device);
        OnAdvertised(device);
    }

    private void OnAdvertised(BlueZDevice device) =>
        OnAdvertisementReceived(new BluetoothAdvertisingEvent(device, device.Name, device.Rssi, device.Uuids));

    // ---- synchronisation

    private async Task SynchroniseAsync(bool restarted, CancellationToken ct)
    {
        await _sync.WaitAsync(ct).ConfigureAwait(false);
        List<BlueZDevice> added;
        try
        {
            var owner = await new BusProxy(_connection, CallTimeout).GetNameOwnerAsync(BlueZNames.Service, ct).ConfigureAwait(false);
            _signals.Owner = owner;
            if (owner is null)
            {
                BlueZLog.BlueZMissing(_logger);
                Cache.MarkAllDisconnected();
                return;
            }
            var objects = await new ObjectManagerProxy(_connection, CallTimeout).GetManagedObjectsAsync(ct).ConfigureAwait(false);
            added = Cache.Replace(objects);
            await RegisterAgentAsync(ct).ConfigureAwait(false);
            if (Cache.Has(_adapterPath, BlueZNames.Adapter1))
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
        foreach (var d in added) OnDeviceSeen(d);
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
        if (_discovery is not { } services || _signals.Owner is null)
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

    private void OnOwnerChanged(string oldOwner, string newOwner)
    {
        if (newOwner.Length == 0)
        {
            Cache.MarkAllDisconnected();
            return;
        }
        _ = ResynchroniseAsync();
    }

    private async Task ResynchroniseAsync()
    {
        for (var attempt = 0; !_disposed.IsCancellationRequested; attempt = Math.Min(attempt + 1, 100))
        {
            TimeSpan delay;
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
                delay = ResyncBackoff.Delay(attempt);
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
        }
    }
}
