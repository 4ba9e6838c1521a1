using System.Net;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Web.Pairing;

namespace Vitals.Gateway.Tests.Web.Pairing;

/// <summary>
/// The devices page's event stream and script: the stream only for a confirmed pairing session, the script a file of
/// the gateway's own, and script allowed on the pairing pages only (never inline).
/// </summary>
public sealed class ReadingsStreamTests
{
    [Fact]
    public async Task The_stream_needs_a_pairing_session_and_only_the_pairing_pages_may_run_the_gateways_own_script()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        using var http = new HttpClient();

        using var stream = await http.GetAsync(gateway.WebUrl + ReadingsStream.Path);
        Assert.Equal(HttpStatusCode.Unauthorized, stream.StatusCode);
        using var forged = new HttpRequestMessage(HttpMethod.Get, gateway.WebUrl + ReadingsStream.Path);
        forged.Headers.Add("Cookie", PairingSessions.Cookie + "=not-a-session");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(forged)).StatusCode);

        using var script = await http.GetAsync(gateway.WebUrl + ReadingsStream.ScriptPath);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Contains("EventSource", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var pair = await http.GetAsync(gateway.WebUrl + "/pair");
        var pairCsp = string.Join(",", pair.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", pairCsp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", pairCsp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", pairCsp, StringComparison.Ordinal);
        using var status = await http.GetAsync(gateway.WebUrl + "/");
        Assert.DoesNotContain("script-src", string.Join(",", status.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        // "/pairing" is not below "/pair": the path is matched by segment.
        using var other = await http.GetAsync(gateway.WebUrl + "/pairing");
        Assert.DoesNotContain("script-src", string.Join(",", other.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
    }
}
