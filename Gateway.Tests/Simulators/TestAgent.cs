using Tmds.DBus.Protocol;

namespace Vitals.Gateway.Tests.Simulators;

/// <summary>
/// An org.bluez.Agent1 exported by the test on its own connection: RequestPasskey answers with a fixed passkey (or
/// rejects when it has none) and remembers which device asked.
/// </summary>
internal sealed class TestAgent(string path, uint? passkey) : IPathMethodHandler
{
    private readonly List<string> _requests = [];

    public string Path { get; } = path;

    public bool HandlesChildPaths => false;

    public IReadOnlyList<string> PasskeyRequests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        var request = context.Request;
        switch (request.MemberAsString)
        {
            case "RequestPasskey":
                var device = request.GetBodyReader().ReadObjectPathAsString();
                lock (_requests)
                {
                    _requests.Add(device);
                }
                if (passkey is { } key)
                {
                    using var writer = context.CreateReplyWriter("u");
                    writer.WriteUInt32(key);
                    context.Reply(writer.CreateMessage());
                }
                else
                {
                    context.ReplyError("org.bluez.Error.Rejected", "no passkey");
                }
                break;
            case "Release" or "Cancel":
                using (var writer = context.CreateReplyWriter(null))
                {
                    context.Reply(writer.CreateMessage());
                }
                break;
            default:
                context.ReplyError("org.bluez.Error.Rejected", "not handled by the test agent");
                break;
        }
        return default;
    }
}
