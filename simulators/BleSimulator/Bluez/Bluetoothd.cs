using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;
using Vitals.Simulators.BleSimulator.Peripherals;

namespace Vitals.Simulators.BleSimulator.Bluez;

/// <summary>
/// The simulated bluetoothd: owns org.bluez on the bus and behaves as BlueZ 5.66 does towards a central (bluez.md).
/// It wires the parts (<see cref="Adapter"/>, <see cref="PairingAgent"/>, <see cref="Link"/>, <see cref="GattExport"/>,
/// <see cref="PeripheralRadio"/>, <see cref="DeviceControl"/>) over one <see cref="DaemonState"/>, owns the bus
/// connection, follows clients leaving the bus and models "systemctl restart bluetooth". Signals go out in the order
/// state changes.
/// </summary>
internal sealed class Bluetoothd : IAsyncDisposable
{
    public const string BusName = "org.bluez";

    private readonly DaemonState _state;
    private readonly Adapter _adapter;
    private readonly PairingAgent _pairing;
    private readonly GattExport _gatt;
    private IDisposable? _nameWatch;

    public Bluetoothd(BleSimulatorOptions options, TimeProvider time, TimeZoneInfo zone, ILogger logger)
    {
        _state = new DaemonState(options, time, zone, logger);
        for (var i = 0; i < options.Devices; i++)
        {
            var kind = (DeviceKind)(i % 4);
            var offset = kind switch
            {
                DeviceKind.Thermometer => TimeSpan.FromMinutes(7),
                DeviceKind.BloodPressure => TimeSpan.FromHours(-1),
                _ => TimeSpan.Zero,
            };
            _state.Peripherals.Add(new Peripheral(i, kind, options.Passkey, offset, options.Seed));
        }
        var now = time.GetUtcNow();
        foreach (var p in _state.Peripherals)
        {
            // Spread the first scheduled readings so devices do not all measure in the same second.
            p.NextScheduledReading = now + options.Interval * (1 + p.Index / (double)Math.Max(1, options.Devices));
        }
        var radio = new PeripheralRadio(_state);
        _gatt = new GattExport(_state, radio);
        var link = new Link(_state, _gatt, radio);
        _pairing = new PairingAgent(_state, link);
        _adapter = new Adapter(_state, link, _gatt, _pairing);
        Control = new DeviceControl(_state, link, _adapter, radio);
    }

    /// <summary>The devices as the control API and the clock drive them.</summary>
    public DeviceControl Control { get; }

    public string UniqueName => _state.Connection?.UniqueName ?? "";

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
        lock (_state.Gate)
        {
            SimulatorLog.Restarting(_state.Logger);
            _state.Epoch++;
            old = _state.Connection;
            _state.Connection = null;
            _state.Tree.Connection = null;
            _state.Tree.Clear();
            foreach (var entry in _state.Entries.Values)
            {
                entry.Pairing?.Cancel();
                if (entry.Device.Connected)
                {
                    Link.PeripheralLinkLost(entry.Peripheral);
                }
            }
            _state.Entries.Clear();
            _pairing.Reset();
            _adapter.Reset();
            _nameWatch?.Dispose();
            _nameWatch = null;
        }
        old?.Dispose();
        await Task.Delay(TimeSpan.FromSeconds(1), _state.Time).ConfigureAwait(false);
        await StartBusAsync(powered: false).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        DBusConnection? old;
        lock (_state.Gate)
        {
            _state.Epoch++;
            old = _state.Connection;
            _state.Connection = null;
            _state.Tree.Connection = null;
            _nameWatch?.Dispose();
            _nameWatch = null;
        }
        old?.Dispose();
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private async Task StartBusAsync(bool powered)
    {
        var options = _state.Options;
        var connection = new DBusConnection(options.Bus);
        try
        {
            await connection.ConnectAsync().ConfigureAwait(false);
            connection.AddMethodHandler(_state.Tree);
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
            lock (_state.Gate)
            {
                _state.Connection = connection;
                _nameWatch = watch;
                // Objects are exported before the name is taken and announced after: a client that reacts to the new
                // owner of org.bluez finds them all with GetManagedObjects.
                _adapter.Export(powered);
                foreach (var p in _state.Peripherals.Where(p => _state.Bonds.Contains(p.Address)))
                {
                    _adapter.EnsureEntry(p);
                }
            }
            if (!await connection.TryRequestNameAsync(BusName, RequestNameOptions.None).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"{BusName} is already owned by another connection on {options.Bus}");
            }
            lock (_state.Gate)
            {
                _state.Tree.Connection = connection;
            }
            SimulatorLog.BusUp(_state.Logger, connection.UniqueName ?? "", options.Bus);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>BlueZ ends what a client held when its connection leaves the bus: notify sessions, agent, discovery.</summary>
    private void OnClientGone(string sender)
    {
        lock (_state.Gate)
        {
            var dropped = _gatt.DropSessionsOf(sender);
            _pairing.Forget(sender);
            _adapter.Forget(sender);
            if (dropped > 0)
            {
                SimulatorLog.ClientGone(_state.Logger, sender, dropped);
            }
        }
    }
}
