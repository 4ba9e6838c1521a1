using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;
using Vitals.Simulators.BleSimulator.DBus;
using Vitals.Simulators.BleSimulator.Peripherals;

namespace Vitals.Simulators.BleSimulator.Bluez;

/// <summary>
/// What the parts of the simulated bluetoothd share. One lock guards all of it, like bluetoothd's single main loop:
/// D-Bus method handlers run under it (<see cref="BusObjectTree"/>), and delayed steps (link set-up, service
/// resolution, the agent's answer) re-take it and check <see cref="Epoch"/> and the entry's link generation to see
/// whether something overtook them.
/// </summary>
internal sealed class DaemonState
{
    public DaemonState(BleSimulatorOptions options, TimeProvider time, TimeZoneInfo zone, ILogger logger)
    {
        Options = options;
        Time = time;
        Zone = zone;
        Logger = logger;
        Tree = new BusObjectTree(Gate, logger);
        Random = new Random(options.Seed);
        AdapterPath = "/org/bluez/" + options.Adapter;
    }

    public Lock Gate { get; } = new();

    public BleSimulatorOptions Options { get; }

    public TimeProvider Time { get; }

    public TimeZoneInfo Zone { get; }

    public ILogger Logger { get; }

    public BusObjectTree Tree { get; }

    public Random Random { get; }

    public string AdapterPath { get; }

    public List<Peripheral> Peripherals { get; } = [];

    public List<SimulatedReading> Readings { get; } = [];

    /// <summary>Devices bluetoothd knows (exported as Device1), by address.</summary>
    public Dictionary<string, DeviceEntry> Entries { get; } = new(StringComparer.Ordinal);

    /// <summary>bluetoothd's storage: bonds and trust survive a restart.</summary>
    public HashSet<string> Bonds { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Trusted { get; } = new(StringComparer.Ordinal);

    /// <summary>The connection owning org.bluez; null while "restarting".</summary>
    public DBusConnection? Connection { get; set; }

    /// <summary>Bumped by every restart: a delayed step started in an earlier epoch must not touch the new daemon.</summary>
    public int Epoch { get; set; }

    /// <summary>The adapter as exported in this epoch (re-created unpowered by a restart).</summary>
    public AdapterInterface Adapter { get; set; } = null!;

    /// <summary>BlueZ answers NotReady to what needs the radio while the adapter is off. True when it did.</summary>
    public bool RefusedUnpowered(MethodCall call)
    {
        if (Adapter.Powered) return false;
        call.ReplyError(BluezErrors.NotReady, "Resource Not Ready");
        return true;
    }
}
