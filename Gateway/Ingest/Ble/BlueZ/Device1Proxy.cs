using Tmds.DBus.Protocol;

namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>org.bluez.Device1 (<c>/org/bluez/hci0/dev_AA_BB_CC_DD_EE_FF</c>).</summary>
internal sealed class Device1Proxy(DBusConnection connection, string path, TimeSpan timeout)
    : DBusProxy(connection, BlueZNames.Service, path, BlueZNames.Device1, timeout)
{
    private readonly PropertiesProxy _properties = new(connection, BlueZNames.Service, path, BlueZNames.Device1, timeout);

    /// <summary>Returns when the link is up, before services are resolved (bluez.md): wait for ServicesResolved.</summary>
    public Task ConnectAsync(TimeSpan timeout, CancellationToken ct) => CallAsync(Interface, "Connect", ct, null, null, timeout);

    /// <summary>Also cancels a pending Connect: the compensation after a timed-out Connect.</summary>
    public Task DisconnectAsync(CancellationToken ct) => CallAsync("Disconnect", ct);

    /// <summary>Uses the registered default agent for the passkey.</summary>
    public Task PairAsync(TimeSpan timeout, CancellationToken ct) => CallAsync(Interface, "Pair", ct, null, null, timeout);

    /// <summary>The compensation after a timed-out Pair.</summary>
    public Task CancelPairingAsync(CancellationToken ct) => CallAsync("CancelPairing", ct);

    public Task SetTrustedAsync(bool trusted, CancellationToken ct) => _properties.SetAsync("Trusted", VariantValue.Bool(trusted), ct);

    public Task<Dictionary<string, VariantValue>> GetAllAsync(CancellationToken ct) => _properties.GetAllAsync(ct);
}
