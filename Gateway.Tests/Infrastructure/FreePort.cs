using System.Net;
using System.Net.Sockets;

namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>
/// A loopback TCP port that was free a moment ago (the OS picks it). Another process can still take it before the
/// caller binds it: prefer letting the server pick (port 0) and reading the port back where the server allows that.
/// </summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
