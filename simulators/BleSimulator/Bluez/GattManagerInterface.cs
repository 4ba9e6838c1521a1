using Vitals.Simulators.BleSimulator.DBus;

namespace Vitals.Simulators.BleSimulator.Bluez;

/// <summary>
/// org.bluez.GattManager1 on the adapter. Applications (a GattProfile1 for auto-connect, or local services) are
/// accepted and remembered per connection; the simulator does not browse them (no auto-connect is simulated).
/// </summary>
internal sealed class GattManagerInterface : BusInterface
{
    public const string InterfaceName = "org.bluez.GattManager1";

    private readonly HashSet<(string Sender, string Path)> _applications = [];

    public GattManagerInterface() : base(InterfaceName)
    {
    }

    public void Forget(string sender) => _applications.RemoveWhere(a => a.Sender == sender);

    public override bool TryHandle(MethodCall call)
    {
        switch (call.Member)
        {
            case "RegisterApplication":
                if (call.Expect("oa{sv}"))
                {
                    var path = call.GetBodyReader().ReadObjectPathAsString();
                    if (_applications.Add((call.Sender, path)))
                    {
                        call.ReplyEmpty();
                    }
                    else
                    {
                        call.ReplyError(BluezErrors.AlreadyExists, "Already Exists");
                    }
                }
                return true;
            case "UnregisterApplication":
                if (call.Expect("o"))
                {
                    var path = call.GetBodyReader().ReadObjectPathAsString();
                    if (_applications.Remove((call.Sender, path)))
                    {
                        call.ReplyEmpty();
                    }
                    else
                    {
                        call.ReplyError(BluezErrors.DoesNotExist, "Does Not Exist");
                    }
                }
                return true;
            default:
                return false;
        }
    }
}
