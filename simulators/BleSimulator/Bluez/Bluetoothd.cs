using System.Globalization;
using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;
using Vitals.Devices.Gatt;
using Vitals.Simulators.BleSimulator.DBus;
using Vitals.Simulators.BleSimulator.Peripherals;

namespace Vitals.Simulators.BleSimulator.Bluez;

/// <summary>
/// The simulated bluetoothd: owns org.bluez on the bus, exports the adapter, agent manager and devices, and behaves as
/// BlueZ 5.66 does towards a central (bluez.md). All state is guarded by one lock, like bluetoothd's single main
/// loop; delayed steps (link set-up, service resolution, the agent's answer) re-take it and check that nothing
/// overtook them. Signals go out in the order state changes.
/// </summary>
internal sealed partial class Bluetoothd : IAsyncDisposable
{
    public const string BusName = "org.bluez";
    private const string AgentInterface = "org.bluez.Agent1";

    /// <summary>Link set-up time before Connect returns (or fails with Page Timeout).</summary>
    private static readonly TimeSpan LinkSetup = TimeSpan.FromMilliseconds(60);

    private static readonly TimeSpan AgentTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly BleSimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly TimeZoneInfo _zone;
    private readonly ILogger _logger;
    private readonly BusObjectTree _tree;
    private readonly List<Peripheral> _peripherals = [];
    private readonly List<SimulatedReading> _readings = [];
    private readonly Dictionary<string, DeviceEntry> _entries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _bonds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _trusted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Agent> _agents = new(StringComparer.Ordinal);
    private readonly HashSet<string> _discoverers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DiscoveryFilter> _filters = new(StringComparer.Ordinal);
    private readonly Random _random;
    private DBusConnection? _connection;
    private IDisposable? _nameWatch;
    private AdapterInterface _adapter = null!;
    private GattManagerInterface _gattManager = null!;
    private string? _defaultAgent;
    private int _epoch;

    public Bluetoothd(BleSimulatorOptions options, TimeProvider time, TimeZoneInfo zone, ILogger logger)
    {
        _options = options;
        _time = time;
        _zone = zone;
        _logger = logger;
        _tree = new BusObjectTree(_gate, logger);
        _random = new Random(options.Seed);
        for (var i = 0; i < options.Devices; i++)
        {
            var kind = (DeviceKind)(i % 4);
            var offset = kind switch
            {
                DeviceKind.Thermometer => TimeSpan.FromMinutes(7),
                DeviceKind.BloodPressure => TimeSpan.FromHours(-1),
                _ => TimeSpan.Zero,
            };
            _peripherals.Add(new Peripheral(i, kind, options.Passkey, offset, options.Seed));
        }
        var now = time.GetUtcNow();
        foreach (var p in _peripherals)
        {
            // Spread the first scheduled readings so devices do not all measure in the same second.
            p.NextScheduledReading = now + options.Interval * (1 + p.Index / (double)Math.Max(1, options.Devices));
        }
    }

    public string AdapterPath => "/org/bluez/" + _options.Adapter;

    public Lock Gate => _gate;

    public string UniqueName => _connection?.UniqueName ?? "";

    /// <summary>Connects to the bus, exports the objects and takes the name org.bluez.</summary>
    public Task StartAsync() => StartBusAsync(powered: true);

    /// <summary>
    /// "systemctl restart bluetooth": the connection closes (clients see org.bluez lose its owner), every link drops,
    /// notify sessions, agents and discovery sessions are gone; after ~1 s a new connection takes the name again with
    /// the bonded devices reloaded from "storage" and the adapter unpowered (Powered is not persistent).
    /// </summary>
    public async Task RestartAsync()
    {
        DBusConnection? old;
        lock (_gate)
        {
            SimulatorLog.Restarting(_logger);
            _epoch++;
            old = _connection;
            _connection = null;
            _tree.Connection = null;
            _tree.Clear();
            foreach (var entry in _entries.Values)
            {
                entry.Pairing?.Cancel();
                if (entry.Device.Connected)
                {
                    PeripheralLinkLost(entry.Peripheral);
                }
            }
            _entries.Clear();
            _agents.Clear();
            _defaultAgent = null;
            _discoverers.Clear();
            _filters.Clear();
            _nameWatch?.Dispose();
            _nameWatch = null;
        }
        old?.Dispose();
        await Task.Delay(TimeSpan.FromSeconds(1), _time).ConfigureAwait(false);
        await StartBusAsync(powered: false).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        DBusConnection? old;
        lock (_gate)
        {
            _epoch++;
            old = _connection;
            _connection = null;
            _tree.Connection = null;
            _nameWatch?.Dispose();
            _nameWatch = null;
        }
        old?.Dispose();
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private async Task StartBusAsync(bool powered)
    {
        var connection = new DBusConnection(_options.Bus);
        try
        {
            await connection.ConnectAsync().ConfigureAwait(false);
            connection.AddMethodHandler(_tree);
            var watch = await connection.WatchSignalAsync(
                "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameOwnerChanged",
                static (Message m, object? _) =>
                {
                    var reader = m.GetBodyReader();
                    return (Name: reader.ReadString(), Old: reader.ReadString(), New: reader.ReadString());
                },
                (Notification<(string Name, string Old, string New)> notification) =>
                {
                    if (notification.HasValue && notification.Value is { New.Length: 0 } change && change.Name.StartsWith(':'))
                    {
                        OnClientGone(change.Name);
                    }
                },
                ObserverFlags.None, emitOnCapturedContext: false).ConfigureAwait(false);
            lock (_gate)
            {
                _connection = connection;
                _nameWatch = watch;
                // Objects are exported before the name is taken and announced after: a client that reacts to the new
                // owner of org.bluez finds them all with GetManagedObjects.
                ExportBaseObjects(powered);
                foreach (var p in _peripherals.Where(p => _bonds.Contains(p.Address)))
                {
                    EnsureEntry(p);
                }
            }
            if (!await connection.TryRequestNameAsync(BusName, RequestNameOptions.None).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"{BusName} is already owned by another connection on {_options.Bus}");
            }
            lock (_gate)
            {
                _tree.Connection = connection;
            }
            SimulatorLog.BusUp(_logger, connection.UniqueName ?? "", _options.Bus);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void ExportBaseObjects(bool powered)
    {
        _adapter = new AdapterInterface(this, "00:1A:7D:DA:71:13", "vitals-ble-simulator", powered);
        _gattManager = new GattManagerInterface();
        _tree.Add(new BusObject("/org/bluez", new AgentManagerInterface(this)));
        _tree.Add(new BusObject(AdapterPath, _adapter, _gattManager));
    }

    /// <param name="rssi">set when the device was just seen advertising (part of InterfacesAdded, as in BlueZ)</param>
    private DeviceEntry EnsureEntry(Peripheral p, short? rssi = null)
    {
        if (_entries.TryGetValue(p.Address, out var existing))
        {
            if (rssi is { } seen && !existing.Device.Connected)
            {
                existing.Device.SetRssi(seen);
            }
            return existing;
        }
        var entry = new DeviceEntry(p, AdapterPath + "/dev_" + p.Address.Replace(':', '_'));
        entry.Device = new DeviceInterface(this, entry, AdapterPath, _bonds.Contains(p.Address), _trusted.Contains(p.Address));
        if (rssi is { } first)
        {
            entry.Device.SetRssi(first);
        }
        entry.Object = new BusObject(entry.Path, entry.Device);
        _entries.Add(p.Address, entry);
        _tree.Add(entry.Object);
        return entry;
    }

    private void OnClientGone(string sender)
    {
        lock (_gate)
        {
            var dropped = 0;
            foreach (var entry in _entries.Values)
            {
                foreach (var characteristic in entry.Characteristics.Values)
                {
                    if (characteristic.Sessions.Remove(sender))
                    {
                        dropped++;
                        SessionsChanged(entry, characteristic);
                    }
                }
            }
            _agents.Remove(sender);
            if (_defaultAgent == sender)
            {
                _defaultAgent = null;
            }
            _filters.Remove(sender);
            if (_discoverers.Remove(sender) && _discoverers.Count == 0)
            {
                _adapter.SetDiscovering(false);
            }
            _gattManager.Forget(sender);
            if (dropped > 0)
            {
                SimulatorLog.ClientGone(_logger, sender, dropped);
            }
        }
    }

    /// <summary>After a session came or went: Notifying follows, and BlueZ writes the CCCD when the link allows.</summary>
    private void SessionsChanged(DeviceEntry entry, GattCharacteristicInterface characteristic)
    {
        characteristic.UpdateNotifying();
        if (!entry.IsResolved)
        {
            // Nothing can be written to a device that is not connected: its CCCD keeps whatever it had.
            return;
        }
        var uuid = characteristic.Spec.Uuid;
        if (characteristic.Sessions.Count > 0)
        {
            if (entry.Peripheral.EnabledCccds.Add(uuid))
            {
                CccdEnabled(entry, uuid);
            }
        }
        else
        {
            entry.Peripheral.EnabledCccds.Remove(uuid);
        }
    }

    // ---- Adapter1 ----

    internal void SetPowered(bool powered)
    {
        if (_adapter.Powered == powered)
        {
            return;
        }
        if (!powered)
        {
            foreach (var entry in _entries.Values.Where(e => e.Device.Connected || e.Connecting))
            {
                entry.Connecting = false;
                LinkDown(entry, "adapter powered off");
            }
            _discoverers.Clear();
            _adapter.SetDiscovering(false);
        }
        _adapter.SetPowered(powered);
    }

    internal void SetDiscoveryFilter(MethodCall call, Dictionary<string, VariantValue> filter)
    {
        var parsed = new DiscoveryFilter();
        foreach (var (key, value) in filter)
        {
            switch (key)
            {
                case "UUIDs" when value.Type == VariantValueType.Array && value.ItemType == VariantValueType.String:
                    parsed.Uuids = value.GetArray<string>().Select(NormalizeUuid).ToHashSet(StringComparer.Ordinal);
                    break;
                case "Transport" when value.Type == VariantValueType.String && value.GetString() is "auto" or "le" or "bredr":
                    parsed.Transport = value.GetString();
                    break;
                case "DuplicateData" or "Discoverable" when value.Type == VariantValueType.Bool:
                    break;
                case "RSSI" when value.Type == VariantValueType.Int16:
                    parsed.Rssi = value.GetInt16();
                    break;
                case "Pathloss" when value.Type == VariantValueType.UInt16:
                    break;
                case "Pattern" when value.Type == VariantValueType.String:
                    parsed.Pattern = value.GetString();
                    break;
                default:
                    call.ReplyError(BluezErrors.InvalidArguments, "Invalid arguments in method call");
                    return;
            }
        }
        if (filter.Count == 0)
        {
            _filters.Remove(call.Sender);
        }
        else
        {
            _filters[call.Sender] = parsed;
        }
        call.ReplyEmpty();
    }

    internal void StartDiscovery(MethodCall call)
    {
        if (!_adapter.Powered)
        {
            call.ReplyError(BluezErrors.NotReady, "Resource Not Ready");
            return;
        }
        if (!_discoverers.Add(call.Sender))
        {
            call.ReplyError(BluezErrors.InProgress, "Operation already in progress");
            return;
        }
        _adapter.SetDiscovering(true);
        call.ReplyEmpty();
        Scan();
    }

    internal void StopDiscovery(MethodCall call)
    {
        if (!_discoverers.Remove(call.Sender))
        {
            call.ReplyError(BluezErrors.Failed, "No discovery started");
            return;
        }
        if (_discoverers.Count == 0)
        {
            _adapter.SetDiscovering(false);
        }
        call.ReplyEmpty();
    }

    internal void RemoveDevice(MethodCall call, string path)
    {
        var entry = _entries.Values.FirstOrDefault(e => e.Path == path);
        if (entry is null)
        {
            call.ReplyError(BluezErrors.DoesNotExist, "Does Not Exist");
            return;
        }
        entry.Pairing?.Cancel();
        if (entry.Device.Connected || entry.Connecting)
        {
            entry.Connecting = false;
            LinkDown(entry, "device removed");
        }
        RemoveGatt(entry);
        _tree.Remove(entry.Path);
        _entries.Remove(entry.Peripheral.Address);
        // RemoveDevice deletes the bond on both sides (bluez.md).
        _bonds.Remove(entry.Peripheral.Address);
        _trusted.Remove(entry.Peripheral.Address);
        entry.Peripheral.Bonded = false;
        entry.Peripheral.EnabledCccds.Clear();
        call.ReplyEmpty();
    }

    /// <summary>Devices in range that some discovering client's filter accepts become known (Device1 exported) with an RSSI.</summary>
    private void Scan()
    {
        if (_discoverers.Count == 0 || !_adapter.Powered)
        {
            return;
        }
        var now = _time.GetUtcNow();
        foreach (var p in _peripherals)
        {
            if (!p.IsInRange(now) || !_discoverers.Any(d => !_filters.TryGetValue(d, out var f) || f.Accepts(p)))
            {
                continue;
            }
            EnsureEntry(p, (short)(-52 - p.Index % 30));
        }
    }

    private static string NormalizeUuid(string uuid)
    {
        var lower = uuid.ToLowerInvariant();
        return lower.Length == 4 ? $"0000{lower}-0000-1000-8000-00805f9b34fb"
            : lower.Length == 8 ? $"{lower}-0000-1000-8000-00805f9b34fb"
            : lower;
    }

    // ---- AgentManager1 ----

    internal void RegisterAgent(MethodCall call, string path, string capability)
    {
        if (capability is not ("" or "DisplayOnly" or "DisplayYesNo" or "KeyboardOnly" or "NoInputNoOutput" or "KeyboardDisplay"))
        {
            call.ReplyError(BluezErrors.InvalidArguments, "Invalid arguments in method call");
            return;
        }
        if (_agents.ContainsKey(call.Sender))
        {
            call.ReplyError(BluezErrors.AlreadyExists, "Already Exists");
            return;
        }
        _agents[call.Sender] = new Agent(call.Sender, path, capability.Length == 0 ? "KeyboardDisplay" : capability);
        call.ReplyEmpty();
    }

    internal void UnregisterAgent(MethodCall call, string path)
    {
        if (!_agents.TryGetValue(call.Sender, out var agent) || agent.Path != path)
        {
            call.ReplyError(BluezErrors.DoesNotExist, "Does Not Exist");
            return;
        }
        _agents.Remove(call.Sender);
        if (_defaultAgent == call.Sender)
        {
            _defaultAgent = null;
        }
        call.ReplyEmpty();
    }

    internal void RequestDefaultAgent(MethodCall call, string path)
    {
        if (!_agents.TryGetValue(call.Sender, out var agent) || agent.Path != path)
        {
            call.ReplyError(BluezErrors.DoesNotExist, "Does Not Exist");
            return;
        }
        _defaultAgent = call.Sender;
        call.ReplyEmpty();
    }

    // ---- Device1 ----

    internal void RememberTrust(DeviceEntry entry, bool trusted)
    {
        if (trusted)
        {
            _trusted.Add(entry.Peripheral.Address);
        }
        else
        {
            _trusted.Remove(entry.Peripheral.Address);
        }
    }

    internal void Connect(DeviceEntry entry, MethodCall call)
    {
        if (!_adapter.Powered)
        {
            call.ReplyError(BluezErrors.NotReady, "Resource Not Ready");
            return;
        }
        if (entry.Device.Connected)
        {
            call.ReplyError(BluezErrors.AlreadyConnected, "Already Connected");
            return;
        }
        if (entry.Connecting)
        {
            call.ReplyError(BluezErrors.InProgress, "In Progress");
            return;
        }
        entry.Connecting = true;
        var generation = ++entry.LinkGeneration;
        var epoch = _epoch;
        call.ContinueAsync(async c =>
        {
            await Task.Delay(LinkSetup, _time).ConfigureAwait(false);
            lock (_gate)
            {
                if (epoch != _epoch)
                {
                    c.ReplyError(BluezErrors.Failed, "Software caused connection abort");
                    return;
                }
                if (entry.LinkGeneration != generation || !entry.Connecting)
                {
                    // Disconnect() cancelled the attempt.
                    c.ReplyError(BluezErrors.Failed, "Operation aborted");
                    return;
                }
                entry.Connecting = false;
                if (!entry.Peripheral.IsInRange(_time.GetUtcNow()))
                {
                    c.ReplyError(BluezErrors.Failed, "Page Timeout");
                    return;
                }
                LinkUp(entry);
                // Connect returns when the link is up; services resolve later (bluez.md).
                c.ReplyEmpty();
            }
        });
    }

    internal void Disconnect(DeviceEntry entry, MethodCall call)
    {
        entry.Pairing?.Cancel();
        if (entry.Connecting)
        {
            entry.Connecting = false;
            entry.LinkGeneration++;
            call.ReplyEmpty();
            return;
        }
        if (!entry.Device.Connected)
        {
            call.ReplyError(BluezErrors.NotConnected, "Not Connected");
            return;
        }
        LinkDown(entry, "disconnected by the client");
        call.ReplyEmpty();
    }

    internal void Pair(DeviceEntry entry, MethodCall call)
    {
        if (!_adapter.Powered)
        {
            call.ReplyError(BluezErrors.NotReady, "Resource Not Ready");
            return;
        }
        if (entry.Device.Paired)
        {
            call.ReplyError(BluezErrors.AlreadyExists, "Already Exists");
            return;
        }
        if (entry.Pairing is not null)
        {
            call.ReplyError(BluezErrors.InProgress, "In Progress");
            return;
        }
        var cancel = new CancellationTokenSource();
        entry.Pairing = cancel;
        var agent = _defaultAgent is { } d && _agents.TryGetValue(d, out var a) ? a : null;
        var connection = _connection!;
        var epoch = _epoch;
        call.ContinueAsync(async c =>
        {
            try
            {
                await PairAsync(entry, c, agent, connection, epoch, cancel.Token).ConfigureAwait(false);
            }
            finally
            {
                lock (_gate)
                {
                    if (entry.Pairing == cancel)
                    {
                        entry.Pairing = null;
                    }
                }
                cancel.Dispose();
            }
        });
    }

    private async Task PairAsync(DeviceEntry entry, MethodCall call, Agent? agent, DBusConnection connection, int epoch, CancellationToken cancel)
    {
        bool connected;
        lock (_gate)
        {
            connected = entry.Device.Connected;
        }
        if (!connected)
        {
            // Pair() on a disconnected device connects first, as BlueZ does.
            await Task.Delay(LinkSetup, _time).ConfigureAwait(false);
            lock (_gate)
            {
                if (epoch != _epoch || cancel.IsCancellationRequested)
                {
                    call.ReplyError(BluezErrors.AuthenticationCanceled, "Authentication Canceled");
                    return;
                }
                if (!entry.Peripheral.IsInRange(_time.GetUtcNow()))
                {
                    call.ReplyError(BluezErrors.ConnectionAttemptFailed, "Page Timeout");
                    return;
                }
                if (!entry.Device.Connected)
                {
                    entry.Connecting = false;
                    LinkUp(entry);
                }
            }
        }
        if (agent is null)
        {
            call.ReplyError(BluezErrors.AuthenticationRejected, "Authentication Rejected");
            return;
        }
        if (agent.Capability is not ("KeyboardOnly" or "KeyboardDisplay"))
        {
            // The device displays a passkey: the central must type it in (bluez.md: DisplayOnly cannot).
            call.ReplyError(BluezErrors.AuthenticationFailed, "Authentication Failed");
            return;
        }
        uint passkey;
        try
        {
            passkey = await RequestPasskeyAsync(connection, agent, entry.Path).WaitAsync(AgentTimeout, _time, cancel).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException ex)
        {
            call.ReplyError(ex.ErrorName == BluezErrors.AgentCanceled ? BluezErrors.AuthenticationCanceled : BluezErrors.AuthenticationRejected,
                ex.ErrorName == BluezErrors.AgentCanceled ? "Authentication Canceled" : "Authentication Rejected");
            return;
        }
        catch (OperationCanceledException)
        {
            CancelAgent(connection, agent);
            call.ReplyError(BluezErrors.AuthenticationCanceled, "Authentication Canceled");
            return;
        }
        catch (TimeoutException)
        {
            CancelAgent(connection, agent);
            call.ReplyError(BluezErrors.AuthenticationTimeout, "Authentication Timeout");
            return;
        }
        catch (DBusConnectionException)
        {
            call.ReplyError(BluezErrors.AuthenticationCanceled, "Authentication Canceled");
            return;
        }
        lock (_gate)
        {
            if (epoch != _epoch || !entry.Device.Connected)
            {
                call.ReplyError(BluezErrors.AuthenticationCanceled, "Authentication Canceled");
                return;
            }
            if (passkey.ToString("D6", CultureInfo.InvariantCulture) != entry.Peripheral.Passkey)
            {
                SimulatorLog.DeviceEvent(_logger, entry.Peripheral.Address, "pairing failed: wrong passkey");
                call.ReplyError(BluezErrors.AuthenticationFailed, "Authentication Failed");
                return;
            }
            _bonds.Add(entry.Peripheral.Address);
            entry.Peripheral.Bonded = true;
            entry.Device.SetPaired(true);
            SimulatorLog.DeviceEvent(_logger, entry.Peripheral.Address, "paired and bonded");
            call.ReplyEmpty();
        }
    }

    private static Task<uint> RequestPasskeyAsync(DBusConnection connection, Agent agent, string devicePath)
    {
        MessageBuffer message;
        using (var writer = connection.GetMessageWriter())
        {
            writer.WriteMethodCallHeader(destination: agent.Sender, path: agent.Path, @interface: AgentInterface, member: "RequestPasskey", signature: "o");
            writer.WriteObjectPath(devicePath);
            message = writer.CreateMessage();
        }
        return connection.CallMethodAsync(message, static (Message m, object? _) => m.GetBodyReader().ReadUInt32());
    }

    private void CancelAgent(DBusConnection connection, Agent agent)
    {
        try
        {
            MessageBuffer message;
            using (var writer = connection.GetMessageWriter())
            {
                writer.WriteMethodCallHeader(destination: agent.Sender, path: agent.Path, @interface: AgentInterface, member: "Cancel", flags: MessageFlags.NoReplyExpected);
                message = writer.CreateMessage();
            }
            connection.TrySendMessage(message);
        }
        catch (ObjectDisposedException ex)
        {
            SimulatorLog.ReplyFailed(_logger, "Agent1.Cancel", ex);
        }
    }

    internal void CancelPairing(DeviceEntry entry, MethodCall call)
    {
        if (entry.Pairing is not { } pairing)
        {
            call.ReplyError(BluezErrors.DoesNotExist, "Does Not Exist");
            return;
        }
        pairing.Cancel();
        call.ReplyEmpty();
    }

    // ---- links ----

    private void LinkUp(DeviceEntry entry)
    {
        var p = entry.Peripheral;
        p.Connections++;
        // Alternate the negotiated ATT MTU: at 23 a GHS record spans two notifications, at 64 it fits in one.
        p.Mtu = p.Connections % 2 == 1 ? 23 : 64;
        p.SegmentCounters.Clear();
        var generation = ++entry.LinkGeneration;
        entry.Device.SetConnected(true);
        SimulatorLog.DeviceEvent(_logger, p.Address, "connected");
        var epoch = _epoch;
        var delay = TimeSpan.FromMilliseconds(50 + _random.Next(151));
        _ = ResolveLaterAsync(entry, generation, epoch, delay);
    }

    private async Task ResolveLaterAsync(DeviceEntry entry, int generation, int epoch, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time).ConfigureAwait(false);
            lock (_gate)
            {
                if (epoch == _epoch && entry.LinkGeneration == generation && entry.Device.Connected)
                {
                    Resolve(entry);
                }
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            SimulatorLog.TickFailed(_logger, ex);
        }
    }

    private void Resolve(DeviceEntry entry)
    {
        if (entry.GattObjects.Count == 0)
        {
            ExportGatt(entry);
        }
        foreach (var characteristic in entry.Characteristics.Values)
        {
            characteristic.SetMtu(entry.Peripheral.Mtu);
        }
        entry.Device.SetServicesResolved(true);
        SimulatorLog.DeviceEvent(_logger, entry.Peripheral.Address, "services resolved");
        // BlueZ re-arms the notify sessions that survived the link loss by writing the CCCDs again.
        foreach (var characteristic in entry.Characteristics.Values.Where(c => c.Sessions.Count > 0))
        {
            entry.Peripheral.EnabledCccds.Add(characteristic.Spec.Uuid);
        }
        // A bonded device indicates what it stored as soon as its CCCD is enabled: remembered from an earlier
        // connection or just re-armed. Whoever is not listening then loses them (BlueZ confirms indications itself).
        ReleasePending(entry);
    }

    private void LinkDown(DeviceEntry entry, string why)
    {
        entry.LinkGeneration++;
        if (entry.Device.ServicesResolved)
        {
            entry.Device.SetServicesResolved(false);
        }
        if (entry.Device.Connected)
        {
            entry.Device.SetConnected(false);
        }
        PeripheralLinkLost(entry.Peripheral);
        if (!entry.Device.Paired)
        {
            // An unbonded device's attribute cache is dropped with the link, and its notify sessions with it.
            RemoveGatt(entry);
        }
        SimulatorLog.DeviceEvent(_logger, entry.Peripheral.Address, "link down: " + why);
    }

    private static void PeripheralLinkLost(Peripheral p)
    {
        if (!p.Bonded)
        {
            // Core spec: a server keeps CCCD values across connections only for bonded clients.
            p.EnabledCccds.Clear();
        }
        p.LiveStopped = false;
    }

    private void ExportGatt(DeviceEntry entry)
    {
        var p = entry.Peripheral;
        // Handles differ per device (and so do paths): clients must resolve by UUID (bluez.md).
        var handle = (ushort)(0x000A + 0x0010 * (p.Index % 3));
        foreach (var service in p.Services)
        {
            var servicePath = string.Create(CultureInfo.InvariantCulture, $"{entry.Path}/service{handle:x4}");
            var serviceObject = new BusObject(servicePath, new GattServiceInterface(service, entry.Path, handle));
            _tree.Add(serviceObject);
            entry.GattObjects.Add(serviceObject);
            var h = handle;
            foreach (var spec in service.Characteristics)
            {
                var declaration = (ushort)(h + 1);
                var characteristicPath = string.Create(CultureInfo.InvariantCulture, $"{servicePath}/char{declaration:x4}");
                var characteristic = new GattCharacteristicInterface(this, entry, spec, servicePath, (ushort)(declaration + 1), p.Mtu);
                var characteristicObject = new BusObject(characteristicPath, characteristic);
                _tree.Add(characteristicObject);
                entry.GattObjects.Add(characteristicObject);
                entry.Characteristics[spec.Uuid] = characteristic;
                h = (ushort)(declaration + (spec.CanNotify ? 2 : 1));
            }
            handle = (ushort)(h + 1);
        }
    }

    private void RemoveGatt(DeviceEntry entry)
    {
        for (var i = entry.GattObjects.Count - 1; i >= 0; i--)
        {
            _tree.Remove(entry.GattObjects[i].Path);
        }
        entry.GattObjects.Clear();
        entry.Characteristics.Clear();
    }

    private sealed record Agent(string Sender, string Path, string Capability);
}
