using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Delivery.Auth;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Delivery.Auth;

/// <summary>
/// The real sandbox EHR requiring bearer tokens (checked by introspection at the test authorization server), and the
/// gateway's sender built from configuration, discovering the token endpoint from the sandbox's SMART configuration.
/// </summary>
public sealed class SandboxEhrSmartTests
{
    [Fact]
    public async Task The_sandbox_accepts_an_observation_delivered_with_a_smart_token_and_refuses_one_without()
    {
        using var keys = new TestKeys();
        var keyPath = keys.Write(TestKeys.EcPkcs8);
        await using var oauth = await TestOAuthServer.StartAsync();
        oauth.Register("gateway-e2e", TestKeys.JwksOf(keyPath));
        // Neutral (--medplum none): about tokens, and the sender here runs without the start-up check that would
        // apply the Medplum preset to the blood pressure below.
        await using var ehr = await SandboxEhrProcess.StartAsync(extraArguments:
            ["--require-token-introspect", oauth.IntrospectUrl, "--smart-token-endpoint", oauth.TokenUrl, "--medplum", "none"]);

        using var provider = new ServiceCollection().AddLogging().AddEhrDelivery(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Ehr:BaseUrl"] = ehr.BaseUrlText,
                ["Ehr:Auth:Mode"] = "SmartBackendServices",
                ["Ehr:Auth:ClientId"] = "gateway-e2e",
                ["Ehr:Auth:PrivateKeyPath"] = keyPath,
            }).Build()).BuildServiceProvider();
        var sender = provider.GetRequiredService<ConditionalCreateSender>();

        var result = await sender.SendAsync(Some.MappedTemperature(), CancellationToken.None);

        var delivered = Assert.IsType<DeliveryResult.Delivered>(result);
        Assert.Single(delivered.ServerIds);
        Assert.Empty(oauth.Errors);
        Assert.Equal(1, oauth.TokenRequests);
        using (var stats = await ehr.StatsAsync())
        {
            var resources = stats.RootElement.GetProperty("resources");
            Assert.Equal(1, resources.GetProperty("Observation").GetInt32());
            Assert.Equal(1, resources.GetProperty("Device").GetInt32());
        }

        // Without a token, or with one the authorization server never issued, the sandbox answers 401.
        foreach (var token in new string?[] { null, "not-issued-by-anyone" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(ehr.BaseUrl, "Observation"))
            {
                Content = new StringContent("""{"resourceType":"Observation","status":"final","code":{"text":"x"}}""", Encoding.UTF8, "application/fhir+json"),
            };
            if (token is not null)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var refused = await ehr.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme);
        }
        using (var search = await ehr.Http.GetAsync(new Uri("Observation", UriKind.Relative)))
            Assert.Equal(HttpStatusCode.Unauthorized, search.StatusCode);

        // A token revoked at the authorization server is refused once the sandbox's introspection cache lapses; the
        // sender then gets a new one and delivers.
        oauth.RevokeAll();
        await Task.Delay(TimeSpan.FromSeconds(5.5));
        var again = await sender.SendAsync(Some.MappedBloodPressure(), CancellationToken.None);
        Assert.IsType<DeliveryResult.Delivered>(again);
        Assert.Equal(2, oauth.TokenRequests);
        using (var stats = await ehr.StatsAsync())
            Assert.Equal(3, stats.RootElement.GetProperty("resources").GetProperty("Observation").GetInt32());
    }
}
