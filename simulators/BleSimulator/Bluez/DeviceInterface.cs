using Tmds.DBus.Protocol;
using Vitals.Simulators.BleSimulator.DBus;
using Vitals.Simulators.BleSimulator.Peripherals;

namespace Vitals.Simulators.BleSimulator.Bluez;

/// <summary>org.bluez.Device1 on /org/bluez/hciN/dev_XX_..: link, pairing and what the device advertised.</summary>
internal sealed class DeviceInterface : BusInterface
{
    public const string InterfaceName = "org.bluez.Device1";

    private readonly Link _link;
    private readonly PairingAgent _pairing;

    public DeviceInterface(Link link, PairingAgent pairing, DeviceEntry entry, string adapterPath, bool paired, bool trusted) : base(InterfaceName)
    {
        _link = link;
        _pairing = pairing;
        Entry = entry;
        var peripheral = entry.Peripheral;
        SetProperty("Address", VariantValue.String(peripheral.Address));
        SetProperty("AddressType", VariantValue.String("public"));
        SetProperty("Name", VariantValue.String(peripheral.Name));
        SetProperty("Alias", VariantValue.String(peripheral.Name));
        SetProperty("Paired", VariantValue.Bool(paired));
        SetProperty("Bonded", VariantValue.Bool(paired));
        SetProperty("Trusted", VariantValue.Bool(trusted));
        SetProperty("Blocked", VariantValue.Bool(false));
        SetProperty("LegacyPairing", VariantValue.Bool(false));
        SetProperty("Connected", VariantValue.Bool(false));
        SetProperty("UUIDs", VariantValue.Array(peripheral.Services.Select(s => GattLayout.FullUuid(s.Uuid)).ToArray()));
        SetProperty("Adapter", VariantValue.ObjectPath(new ObjectPath(adapterPath)));
        SetProperty("ServicesResolved", VariantValue.Bool(false));
    }

    public DeviceEntry Entry { get; }

    public bool Connected => Properties["Connected"].GetBool();

    public bool ServicesResolved => Properties["ServicesResolved"].GetBool();

    public bool Paired => Properties["Paired"].GetBool();

    public bool Trusted => Properties["Trusted"].GetBool();

    public void SetConnected(bool value) => SetProperty("Connected", VariantValue.Bool(value));

    public void SetServicesResolved(bool value) => SetProperty("ServicesResolved", VariantValue.Bool(value));

    public void SetPaired(bool value)
    {
        SetProperty("Paired", VariantValue.Bool(value));
        SetProperty("Bonded", VariantValue.Bool(value));
    }

    public void SetRssi(short rssi) => SetProperty("RSSI", VariantValue.Int16(rssi));

    public override DBusError? SetFromClient(string sender, string property, VariantValue value)
    {
        switch (property)
        {
            case "Trusted" when value.Type == VariantValueType.Bool:
                SetProperty("Trusted", value);
                _pairing.RememberTrust(Entry, value.GetBool());
                return null;
            case "Alias" when value.Type == VariantValueType.String:
                SetProperty("Alias", value);
                return null;
            case "Trusted" or "Alias":
                return new DBusError(BluezErrors.InvalidArguments, "Invalid arguments in method call");
            default:
                return base.SetFromClient(sender, property, value);
        }
    }

    public override bool TryHandle(MethodCall call)
    {
        switch (call.Member)
        {
            case "Connect":
                if (call.Expect("")) _link.Connect(Entry, call);
                return true;
            case "Disconnect":
                if (call.Expect("")) _link.Disconnect(Entry, call);
                return true;
            case "Pair":
                if (call.Expect("")) _pairing.Pair(Entry, call);
                return true;
            case "CancelPairing":
                if (call.Expect("")) _pairing.CancelPairing(Entry, call);
                return true;
            case "ConnectProfile" or "DisconnectProfile":
                call.ReplyError(BluezErrors.NotAvailable, "Operation currently not available");
                return true;
            default:
                return false;
        }
    }
}
