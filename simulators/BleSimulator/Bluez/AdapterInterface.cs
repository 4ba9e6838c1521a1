using Tmds.DBus.Protocol;
using Vitals.Simulators.BleSimulator.DBus;

namespace Vitals.Simulators.BleSimulator.Bluez;

/// <summary>org.bluez.Adapter1 on /org/bluez/hciN: discovery, RemoveDevice, Powered (writable).</summary>
internal sealed class AdapterInterface : BusInterface
{
    public const string InterfaceName = "org.bluez.Adapter1";

    private readonly Adapter _adapter;

    public AdapterInterface(Adapter adapter, string address, string name, bool powered) : base(InterfaceName)
    {
        _adapter = adapter;
        SetProperty("Address", VariantValue.String(address));
        SetProperty("AddressType", VariantValue.String("public"));
        SetProperty("Name", VariantValue.String(name));
        SetProperty("Alias", VariantValue.String(name));
        SetProperty("Class", VariantValue.UInt32(0));
        SetProperty("Powered", VariantValue.Bool(powered));
        SetProperty("Discoverable", VariantValue.Bool(false));
        SetProperty("DiscoverableTimeout", VariantValue.UInt32(180));
        SetProperty("Pairable", VariantValue.Bool(true));
        SetProperty("PairableTimeout", VariantValue.UInt32(0));
        SetProperty("Discovering", VariantValue.Bool(false));
        SetProperty("UUIDs", VariantValue.Array(new[]
        {
            "00001800-0000-1000-8000-00805f9b34fb", "00001801-0000-1000-8000-00805f9b34fb",
            "0000110e-0000-1000-8000-00805f9b34fb", "0000110c-0000-1000-8000-00805f9b34fb",
        }));
        SetProperty("Modalias", VariantValue.String("usb:v1D6Bp0246d0542"));
        SetProperty("Roles", VariantValue.Array(new[] { "central", "peripheral" }));
    }

    public bool Powered => Properties["Powered"].GetBool();

    public bool Discovering => Properties["Discovering"].GetBool();

    public void SetPowered(bool value) => SetProperty("Powered", VariantValue.Bool(value));

    public void SetDiscovering(bool value) => SetProperty("Discovering", VariantValue.Bool(value));

    public override DBusError? SetFromClient(string sender, string property, VariantValue value)
    {
        switch (property)
        {
            case "Powered" when value.Type == VariantValueType.Bool:
                _adapter.SetPowered(value.GetBool());
                return null;
            case "Alias" when value.Type == VariantValueType.String:
                SetProperty("Alias", value);
                return null;
            case "Powered" or "Alias":
                return new DBusError(BluezErrors.InvalidArguments, "Invalid arguments in method call");
            default:
                return base.SetFromClient(sender, property, value);
        }
    }

    public override bool TryHandle(MethodCall call)
    {
        switch (call.Member)
        {
            case "StartDiscovery":
                if (call.Expect("")) _adapter.StartDiscovery(call);
                return true;
            case "StopDiscovery":
                if (call.Expect("")) _adapter.StopDiscovery(call);
                return true;
            case "SetDiscoveryFilter":
                if (call.Expect("a{sv}"))
                {
                    var filter = call.GetBodyReader().ReadDictionaryOfStringToVariantValue();
                    _adapter.SetDiscoveryFilter(call, filter);
                }
                return true;
            case "GetDiscoveryFilters":
                if (call.Expect(""))
                {
                    call.Reply("as", (ref MessageWriter w) => w.WriteArray(new[] { "UUIDs", "RSSI", "Pathloss", "Transport", "DuplicateData", "Discoverable", "Pattern" }));
                }
                return true;
            case "RemoveDevice":
                if (call.Expect("o"))
                {
                    var path = call.GetBodyReader().ReadObjectPathAsString();
                    _adapter.RemoveDevice(call, path);
                }
                return true;
            default:
                return false;
        }
    }
}
