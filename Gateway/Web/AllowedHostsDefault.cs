using System.Net;
using Microsoft.Extensions.Configuration;

namespace Vitals.Gateway.Web;

/// <summary>
/// The host names the web host answers to when <c>AllowedHosts</c> is not configured: a request whose Host header
/// names anything else gets 400 (ASP.NET Core host filtering), so a page a browser opened from another site cannot
/// reach the gateway by re-pointing its own name at 127.0.0.1 (DNS rebinding).
/// </summary>
public static class AllowedHostsDefault
{
    public static readonly IReadOnlyList<string> Loopback = ["localhost", "127.0.0.1", "[::1]"];

    /// <summary>
    /// Loopback names, plus, for a listener on another address, the host names in <c>Web:Urls</c> and this machine's
    /// name (what a browser on the LAN types). Never "*": that needs saying explicitly in <c>AllowedHosts</c>.
    /// </summary>
    public static IReadOnlyList<string> For(string urls)
    {
        var hosts = new List<string>(Loopback);
        var wildcard = false;
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel's wildcards (http://*:80, http://+:80) are not URIs; 0.0.0.0 and [::] listen on every address.
            var host = Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal),
                UriKind.Absolute, out var uri) ? uri.Host : "";
            if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
            {
                if (IPAddress.IsLoopback(address)) continue;
                if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) { wildcard = true; continue; }
            }
            if (host.Length > 0 && !hosts.Contains(host, StringComparer.OrdinalIgnoreCase)) hosts.Add(host);
            wildcard |= host.Length == 0;
        }
        if (wildcard || hosts.Count > Loopback.Count)
        {
            var machine = Dns.GetHostName();
            foreach (var name in new[] { machine, machine + ".local" })
                if (!hosts.Contains(name, StringComparer.OrdinalIgnoreCase)) hosts.Add(name);
        }
        return hosts;
    }

    /// <summary>The configured list (<c>AllowedHosts</c>, ';'-separated) or the default for <paramref name="urls"/>.</summary>
    public static IReadOnlyList<string> Resolve(IConfiguration configuration, string urls)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = configuration["AllowedHosts"]?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return configured is { Length: > 0 } ? configured : For(urls);
    }
}
