using Tmds.DBus.Protocol;
using Vitals.Simulators.BleSimulator.DBus;
using Vitals.Simulators.BleSimulator.Peripherals;

namespace Vitals.Simulators.BleSimulator.Bluez;

/// <summary>org.bluez.GattService1: a primary service of a resolved device (no methods).</summary>
internal sealed class GattServiceInterface : BusInterface
{
    public const string InterfaceName = "org.bluez.GattService1";

    public GattServiceInterface(ServiceSpec spec, string devicePath, ushort handle) : base(InterfaceName)
    {
        SetProperty("UUID", VariantValue.String(GattLayout.FullUuid(spec.Uuid)));
        SetProperty("Device", VariantValue.ObjectPath(new ObjectPath(devicePath)));
        SetProperty("Primary", VariantValue.Bool(true));
        SetProperty("Includes", VariantValue.Array(Array.Empty<ObjectPath>()));
        SetProperty("Handle", VariantValue.UInt16(handle));
    }

    public override bool TryHandle(MethodCall call) => false;
}
