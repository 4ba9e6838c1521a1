using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Vitals.Gateway.Web.Access;

/// <summary>Whether the web host's listeners (<c>Web:Urls</c>) reach beyond this machine, which makes a login necessary.</summary>
public static class ListenerAddresses
{
    /// <summary>True when any listener is not loopback: another address, a host name other than localhost, or a wildcard.</summary>
    public static bool NeedLogin(string urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!TryHost(url, out var host)) return true;
            if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) continue;
            if (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)) continue;
            return true;
        }
        return false;
    }

    /// <summary>The host of a Kestrel listener URL; its wildcards (<c>*</c>, <c>+</c>) read as 0.0.0.0.</summary>
    public static bool TryHost(string url, [NotNullWhen(true)] out string? host)
    {
        ArgumentNullException.ThrowIfNull(url);
        var normalized = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        host = Uri.TryCreate(normalized, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0 ? uri.Host : null;
        return host is not null;
    }
}
