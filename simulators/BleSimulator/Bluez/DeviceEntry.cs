using Vitals.Simulators.BleSimulator.DBus;
using Vitals.Simulators.BleSimulator.Peripherals;

namespace Vitals.Simulators.BleSimulator.Bluez;

/// <summary>bluetoothd's record of one remote device: its Device1 object, its GATT objects while known, link state.</summary>
internal sealed class DeviceEntry
{
    public DeviceEntry(Peripheral peripheral, string path)
    {
        Peripheral = peripheral;
        Path = path;
    }

    public Peripheral Peripheral { get; }

    public string Path { get; }

    public DeviceInterface Device { get; set; } = null!;

    public BusObject Object { get; set; } = null!;

    /// <summary>Exported service and characteristic objects, in export order (services before their characteristics).</summary>
    public List<BusObject> GattObjects { get; } = [];

    public Dictionary<ushort, GattCharacteristicInterface> Characteristics { get; } = [];

    public bool Connecting { get; set; }

    /// <summary>When discovery last heard it advertising (or the object was made): the start of BlueZ's TemporaryTimeout.</summary>
    public DateTimeOffset LastSeen { get; set; }

    /// <summary>Bumped by every link change: a delayed step (connect, resolve) that sees another value was overtaken.</summary>
    public int LinkGeneration { get; set; }

    /// <summary>Cancels the pending Pair (CancelPairing, Disconnect).</summary>
    public CancellationTokenSource? Pairing { get; set; }

    public bool IsResolved => Device.Connected && Device.ServicesResolved;
}
