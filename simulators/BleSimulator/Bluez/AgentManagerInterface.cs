using Vitals.Simulators.BleSimulator.DBus;

namespace Vitals.Simulators.BleSimulator.Bluez;

/// <summary>org.bluez.AgentManager1 on /org/bluez: agents belong to the connection that registered them.</summary>
internal sealed class AgentManagerInterface : BusInterface
{
    public const string InterfaceName = "org.bluez.AgentManager1";

    private readonly PairingAgent _pairing;

    public AgentManagerInterface(PairingAgent pairing) : base(InterfaceName) => _pairing = pairing;

    public override bool TryHandle(MethodCall call)
    {
        switch (call.Member)
        {
            case "RegisterAgent":
                if (call.Expect("os"))
                {
                    var reader = call.GetBodyReader();
                    var path = reader.ReadObjectPathAsString();
                    var capability = reader.ReadString();
                    _pairing.RegisterAgent(call, path, capability);
                }
                return true;
            case "UnregisterAgent":
                if (call.Expect("o")) _pairing.UnregisterAgent(call, call.GetBodyReader().ReadObjectPathAsString());
                return true;
            case "RequestDefaultAgent":
                if (call.Expect("o")) _pairing.RequestDefaultAgent(call, call.GetBodyReader().ReadObjectPathAsString());
                return true;
            default:
                return false;
        }
    }
}
