using Tmds.DBus.Protocol;

namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>org.bluez.AgentManager1 (<c>/org/bluez</c>).</summary>
internal sealed class AgentManager1Proxy(DBusConnection connection, TimeSpan timeout)
    : DBusProxy(connection, BlueZNames.Service, BlueZNames.AgentManagerPath, BlueZNames.AgentManager1, timeout)
{
    public Task RegisterAgentAsync(string agentPath, string capability, CancellationToken ct) =>
        CallAsync("RegisterAgent", ct, "os", (ref MessageWriter w) =>
        {
            w.WriteObjectPath(agentPath);
            w.WriteString(capability);
        });

    public Task RequestDefaultAgentAsync(string agentPath, CancellationToken ct) =>
        CallAsync("RequestDefaultAgent", ct, "o", (ref MessageWriter w) => w.WriteObjectPath(agentPath));

    public Task UnregisterAgentAsync(string agentPath, CancellationToken ct) =>
        CallAsync("UnregisterAgent", ct, "o", (ref MessageWriter w) => w.WriteObjectPath(agentPath));
}
