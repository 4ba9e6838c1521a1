using Tmds.DBus.Protocol;
using Vitals.Simulators.BleSimulator.DBus;
using Vitals.Simulators.BleSimulator.Peripherals;

namespace Vitals.Simulators.BleSimulator.Bluez;

/// <summary>
/// org.bluez.GattCharacteristic1. Notify sessions live here, one per D-Bus connection (unique name) that called
/// StartNotify: they go when the object goes (an unbonded device's attribute cache is dropped on disconnect) and
/// when their connection leaves the bus.
/// </summary>
internal sealed class GattCharacteristicInterface : BusInterface
{
    public const string InterfaceName = "org.bluez.GattCharacteristic1";

    private readonly GattExport _gatt;

    public GattCharacteristicInterface(GattExport gatt, DeviceEntry entry, CharacteristicSpec spec, string servicePath, ushort handle, int mtu)
        : base(InterfaceName)
    {
        _gatt = gatt;
        Entry = entry;
        Spec = spec;
        SetProperty("UUID", VariantValue.String(GattLayout.FullUuid(spec.Uuid)));
        SetProperty("Service", VariantValue.ObjectPath(new ObjectPath(servicePath)));
        SetProperty("Value", VariantValue.Array(Array.Empty<byte>()));
        if (spec.CanNotify)
        {
            // BlueZ shows Notifying only on characteristics that can notify or indicate.
            SetProperty("Notifying", VariantValue.Bool(false));
        }
        SetProperty("Flags", VariantValue.Array(spec.Flags.ToArray()));
        SetProperty("Handle", VariantValue.UInt16(handle));
        SetProperty("MTU", VariantValue.UInt16((ushort)mtu));
    }

    public DeviceEntry Entry { get; }

    public CharacteristicSpec Spec { get; }

    /// <summary>Unique bus names with an armed notify session.</summary>
    public HashSet<string> Sessions { get; } = new(StringComparer.Ordinal);

    public void UpdateNotifying() => SetProperty("Notifying", VariantValue.Bool(Sessions.Count > 0));

    public void SetMtu(int mtu) => SetProperty("MTU", VariantValue.UInt16((ushort)mtu));

    /// <summary>A value the device sent (notification, indication) or a read returned: one PropertiesChanged each.</summary>
    public void PushValue(byte[] value) => SetProperty("Value", VariantValue.Array(value), always: true);

    /// <summary>A read updates the cached Value; BlueZ announces it only when it changed.</summary>
    public void CacheValue(byte[] value)
    {
        var current = Properties["Value"].GetArray<byte>();
        if (!current.AsSpan().SequenceEqual(value))
        {
            SetProperty("Value", VariantValue.Array(value), always: true);
        }
    }

    public override bool TryHandle(MethodCall call)
    {
        switch (call.Member)
        {
            case "ReadValue":
                if (call.Expect("a{sv}"))
                {
                    _ = call.GetBodyReader().ReadDictionaryOfStringToVariantValue();
                    _gatt.ReadValue(this, call);
                }
                return true;
            case "WriteValue":
                if (call.Expect("aya{sv}"))
                {
                    var reader = call.GetBodyReader();
                    var value = reader.ReadArrayOfByte();
                    _ = reader.ReadDictionaryOfStringToVariantValue();
                    _gatt.WriteValue(this, call, value);
                }
                return true;
            case "StartNotify":
                if (call.Expect("")) _gatt.StartNotify(this, call);
                return true;
            case "StopNotify":
                if (call.Expect("")) _gatt.StopNotify(this, call);
                return true;
            case "AcquireWrite" or "AcquireNotify":
                call.ReplyError(BluezErrors.NotSupported, "Operation is not supported");
                return true;
            default:
                return false;
        }
    }
}
