using System.Net;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Web;

namespace Vitals.Gateway.Tests.Web;

public sealed class WebSecurityTests
{
    [Fact]
    public async Task A_foreign_Host_header_is_refused_and_every_answer_carries_the_security_headers()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        using var http = new HttpClient();
        var port = new Uri(gateway.WebUrl).Port;

        foreach (var path in new[] { "/", "/healthz/live", "/metrics", "/api/status", StatusStyles.Path, "/no-such-page" })
        {
            foreach (var host in new[] { "127.0.0.1", "localhost", "[::1]" })
            {
                using var allowed = new HttpRequestMessage(HttpMethod.Get, gateway.WebUrl + path);
                allowed.Headers.Host = $"{host}:{port}";
                using var ok = await http.SendAsync(allowed);
                Assert.True(ok.StatusCode != HttpStatusCode.BadRequest, $"{path} with Host {host}: {ok.StatusCode}");
                AssertSecurityHeaders(ok, path);
            }

            // DNS rebinding: a page from evil.example re-points its name at 127.0.0.1 and calls the gateway.
            using var foreign = new HttpRequestMessage(HttpMethod.Get, gateway.WebUrl + path);
            foreign.Headers.Host = $"evil.example:{port}";
            using var refused = await http.SendAsync(foreign);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            AssertSecurityHeaders(refused, path + " (refused)");
        }
    }

    [Fact]
    public async Task A_configured_AllowedHosts_replaces_the_default()
    {
        await using var gateway = await InProcessGateway.StartAsync(settings: new Dictionary<string, string?> { ["AllowedHosts"] = "hub.example" });
        using var http = new HttpClient();

        using var named = new HttpRequestMessage(HttpMethod.Get, gateway.WebUrl + "/healthz/live");
        named.Headers.Host = "hub.example";
        using var loopback = new HttpRequestMessage(HttpMethod.Get, gateway.WebUrl + "/healthz/live");

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(named)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(loopback)).StatusCode);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", new[] { "localhost", "127.0.0.1", "[::1]" })]
    [InlineData("http://localhost:5080;http://[::1]:5080", new[] { "localhost", "127.0.0.1", "[::1]" })]
    public void Loopback_listeners_allow_only_loopback_names(string urls, string[] expected) =>
        Assert.Equal(expected, AllowedHostsDefault.For(urls));

    [Theory]
    [InlineData("http://192.168.1.20:5080", "192.168.1.20")]
    [InlineData("http://hub.lan:5080", "hub.lan")]
    [InlineData("http://0.0.0.0:5080", null)]
    [InlineData("http://*:5080", null)]
    public void Other_listeners_add_their_names_and_this_machines_never_a_wildcard(string urls, string? named)
    {
        var hosts = AllowedHostsDefault.For(urls);

        Assert.DoesNotContain("*", hosts);
        Assert.Contains(System.Net.Dns.GetHostName(), hosts);
        if (named is not null) Assert.Contains(named, hosts);
        Assert.DoesNotContain("0.0.0.0", hosts);
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response, string what)
    {
        var csp = string.Join(",", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src", csp, StringComparison.Ordinal);
        Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out var nosniff) && nosniff.Single() == "nosniff", what);
        Assert.True(response.Headers.TryGetValues("Referrer-Policy", out var referrer) && referrer.Single() == "no-referrer", what);
        Assert.True(response.Headers.TryGetValues("X-Frame-Options", out var frame) && frame.Single() == "DENY", what);
    }
}
