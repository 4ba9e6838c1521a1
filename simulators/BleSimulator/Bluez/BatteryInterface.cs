using Tmds.DBus.Protocol;
using Vitals.Simulators.BleSimulator.DBus;

namespace Vitals.Simulators.BleSimulator.Bluez;

/// <summary>
/// org.bluez.Battery1 on the device object (BlueZ doc/org.bluez.Battery.rst): bluetoothd's battery plugin reads Battery
/// Level 0x2A19 of the device's Battery Service 0x180F and shows it as Percentage (byte, 0 to 100). No methods.
/// </summary>
internal sealed class BatteryInterface : BusInterface
{
    public const string InterfaceName = "org.bluez.Battery1";

    public BatteryInterface(byte percentage) : base(InterfaceName) => SetProperty("Percentage", VariantValue.Byte(percentage));

    public override bool TryHandle(MethodCall call) => false;
}
