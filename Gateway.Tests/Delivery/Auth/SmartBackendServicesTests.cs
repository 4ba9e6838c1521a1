using System.Buffers.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Auth;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Delivery.Auth;

public sealed class SmartBackendServicesTests
{
    public static TheoryData<string, string> KeyFormats() => new()
    {
        { TestKeys.RsaPkcs8, SigningKey.RS384 },
        { TestKeys.RsaPkcs1, SigningKey.RS384 },
        { TestKeys.RsaJwk, SigningKey.RS384 },
        { TestKeys.EcPkcs8, SigningKey.ES384 },
        { TestKeys.EcSec1, SigningKey.ES384 },
        { TestKeys.EcJwk, SigningKey.ES384 },
    };

    [Theory]
    [MemberData(nameof(KeyFormats))]
    public async Task Delivers_with_a_token_the_server_issued_for_a_verified_assertion(string keyFormat, string algorithm)
    {
        await using var rig = await SmartRig.StartAsync(keyFormat);

        var result = await rig.Sender.SendAsync(Some.MappedTemperature(), CancellationToken.None);

        Assert.IsType<DeliveryResult.Delivered>(result);
        Assert.Empty(rig.OAuth.Errors);
        Assert.Equal(1, rig.OAuth.TokenRequests);
        var token = Assert.Single(rig.OAuth.IssuedTokens);
        Assert.Equal(2, rig.Posts.Count);
        Assert.All(rig.Posts, p => Assert.Equal("Bearer " + token, p.Authorization));
        var header = JsonDocument.Parse(Base64Url.DecodeFromChars(rig.OAuth.Assertions.Single().Split('.')[0])).RootElement;
        Assert.Equal(algorithm, header.GetProperty("alg").GetString());
        Assert.Equal(JsonDocument.Parse(TestKeys.JwksOf(rig.KeyPath)).RootElement.GetProperty("keys")[0].GetProperty("kid").GetString(),
            header.GetProperty("kid").GetString());
        rig.AssertNoSecretsLogged();
    }

    [Fact]
    public async Task The_token_endpoint_is_discovered_once_from_the_smart_configuration()
    {
        await using var rig = await SmartRig.StartAsync(TestKeys.EcPkcs8, discover: true);

        Assert.IsType<DeliveryResult.Delivered>(await rig.Sender.SendAsync(Some.MappedTemperature(), CancellationToken.None));
        Assert.IsType<DeliveryResult.Delivered>(await rig.Sender.SendAsync(Some.MappedBloodPressure(), CancellationToken.None));

        var discovery = Assert.Single(rig.Fhir.Requests, r => r.Method == "GET");
        Assert.Equal("/fhir/R4/.well-known/smart-configuration", discovery.Path);
        Assert.Equal("", discovery.Authorization);
        Assert.Contains(rig.TokenLog.Entries, e => e.EventId.Id == 3202 && e.Message.Contains(rig.OAuth.TokenUrl, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_configured_token_url_is_used_without_discovery()
    {
        await using var rig = await SmartRig.StartAsync(TestKeys.RsaPkcs8, discover: false);

        Assert.IsType<DeliveryResult.Delivered>(await rig.Sender.SendAsync(Some.MappedTemperature(), CancellationToken.None));

        Assert.DoesNotContain(rig.Fhir.Requests, r => r.Method == "GET");
        Assert.Equal(1, rig.OAuth.TokenRequests);
    }

    [Fact]
    public async Task Discovery_without_a_smart_configuration_says_to_configure_the_token_url()
    {
        await using var rig = await SmartRig.StartAsync(TestKeys.EcJwk);
        rig.Behind = _ => new ScriptedResponse(404);
        // The FHIR endpoint answers the discovery itself in the rig; point the sender at a base without one.
        using var tokens = new SmartTokenClient(
            Microsoft.Extensions.Options.Options.Create(new EhrOptions
            {
                BaseUrl = rig.OAuth.BaseUrl + "/nofhir",
                Auth = { Mode = EhrAuthMode.SmartBackendServices, ClientId = SmartRig.ClientId, PrivateKeyPath = rig.KeyPath },
            }),
            TimeProvider.System, new RecordingLogger<SmartTokenClient>());

        var authorization = await tokens.AuthorizeAsync(CancellationToken.None);

        Assert.Null(authorization.BearerToken);
        Assert.Contains("/nofhir/.well-known/smart-configuration answered HTTP 404", authorization.FailureReason);
        Assert.Contains("set Ehr:Auth:TokenUrl", authorization.FailureReason);
    }

    [Fact]
    public async Task One_token_serves_many_parallel_deliveries()
    {
        await using var rig = await SmartRig.StartAsync(TestKeys.EcPkcs8);

        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
            rig.Sender.SendAsync(Some.MappedTemperature(deviceAddress: $"00-1C-05-00-00-{i:X2}"), CancellationToken.None)));

        Assert.All(results, r => Assert.IsType<DeliveryResult.Delivered>(r));
        Assert.Equal(1, rig.OAuth.TokenRequests);
        Assert.Equal(48, rig.Posts.Count);
    }

    [Fact]
    public async Task The_token_is_replaced_refresh_before_ahead_of_its_expiry()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = await SmartRig.StartAsync(TestKeys.RsaJwk, time: time);
        rig.OAuth.TokenLifetime = TimeSpan.FromMinutes(5);

        Assert.IsType<DeliveryResult.Delivered>(await rig.Sender.SendAsync(Some.MappedTemperature("00-1C-05-00-00-01"), CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(239)); // 61 s left: still outside the default 60 s RefreshBefore
        Assert.IsType<DeliveryResult.Delivered>(await rig.Sender.SendAsync(Some.MappedTemperature("00-1C-05-00-00-02"), CancellationToken.None));
        Assert.Equal(1, rig.OAuth.TokenRequests);

        time.Advance(TimeSpan.FromSeconds(2)); // 59 s left
        Assert.IsType<DeliveryResult.Delivered>(await rig.Sender.SendAsync(Some.MappedTemperature("00-1C-05-00-00-03"), CancellationToken.None));

        Assert.Equal(2, rig.OAuth.TokenRequests);
        Assert.Empty(rig.OAuth.Errors);
        Assert.Equal("Bearer " + rig.OAuth.IssuedTokens[1], rig.Posts[^1].Authorization);
    }

    [Fact]
    public async Task A_token_shorter_lived_than_refresh_before_is_used_for_half_its_life()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = await SmartRig.StartAsync(TestKeys.EcSec1, time: time);
        rig.OAuth.TokenLifetime = TimeSpan.FromSeconds(30);

        Assert.IsType<DeliveryResult.Delivered>(await rig.Sender.SendAsync(Some.MappedTemperature("00-1C-05-00-00-01"), CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(14));
        Assert.IsType<DeliveryResult.Delivered>(await rig.Sender.SendAsync(Some.MappedTemperature("00-1C-05-00-00-02"), CancellationToken.None));
        Assert.Equal(1, rig.OAuth.TokenRequests);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.IsType<DeliveryResult.Delivered>(await rig.Sender.SendAsync(Some.MappedTemperature("00-1C-05-00-00-03"), CancellationToken.None));

        Assert.Equal(2, rig.OAuth.TokenRequests);
    }

    [Fact]
    public async Task A_401_gets_a_new_token_and_the_request_is_sent_once_more()
    {
        await using var rig = await SmartRig.StartAsync(TestKeys.RsaPkcs1);
        Assert.IsType<DeliveryResult.Delivered>(await rig.Sender.SendAsync(Some.MappedTemperature(), CancellationToken.None));
        var before = rig.Posts.Count;

        rig.OAuth.RevokeAll();
        var result = await rig.Sender.SendAsync(Some.MappedTemperature(readingKey: "second|reading"), CancellationToken.None);

        Assert.IsType<DeliveryResult.Delivered>(result);
        Assert.Equal(2, rig.OAuth.TokenRequests);
        var observationPosts = rig.Posts.Skip(before).ToList();
        Assert.Equal(2, observationPosts.Count);
        Assert.Equal("Bearer " + rig.OAuth.IssuedTokens[0], observationPosts[0].Authorization);
        Assert.True(rig.OAuth.IsActive(observationPosts[1].Authorization!["Bearer ".Length..]));
        Assert.Contains(rig.TokenLog.Entries, e => e.EventId.Id == 3203);
        Assert.DoesNotContain(rig.SenderLog.Entries, e => e.Level >= LogLevel.Warning);
        rig.AssertNoSecretsLogged();
    }

    [Fact]
    public async Task A_second_401_is_retried_later_without_a_third_attempt()
    {
        await using var rig = await SmartRig.StartAsync(TestKeys.EcPkcs8);
        rig.Behind = _ => new ScriptedResponse(401);

        var result = await rig.Sender.SendAsync(Some.MappedTemperature(), CancellationToken.None);

        var retry = Assert.IsType<DeliveryResult.RetryLater>(result);
        Assert.Contains("HTTP 401", retry.Reason);
        Assert.Contains("check Ehr:Auth", retry.Reason);
        Assert.Equal(2, rig.Posts.Count);
        Assert.Equal(2, rig.OAuth.TokenRequests);
        rig.AssertNoSecretsLogged();
    }

    [Fact]
    public async Task The_server_refuses_a_replayed_assertion()
    {
        await using var rig = await SmartRig.StartAsync(TestKeys.EcJwk);
        Assert.IsType<DeliveryResult.Delivered>(await rig.Sender.SendAsync(Some.MappedTemperature(), CancellationToken.None));
        var first = rig.OAuth.Assertions.Single();

        using var http = new HttpClient();
        using var replay = await http.PostAsync(rig.OAuth.TokenUrl, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["scope"] = EhrAuthOptions.DefaultScope,
            ["client_assertion_type"] = ClientAssertion.AssertionType,
            ["client_assertion"] = first,
        }));

        Assert.Equal(400, (int)replay.StatusCode);
        Assert.Equal("invalid_grant", JsonDocument.Parse(await replay.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        // The gateway itself never reuses one: a forced refresh signs a new jti the server accepts.
        rig.OAuth.RevokeAll();
        Assert.IsType<DeliveryResult.Delivered>(await rig.Sender.SendAsync(Some.MappedTemperature(readingKey: "again"), CancellationToken.None));
        Assert.Single(rig.OAuth.Errors);
    }

    [Fact]
    public async Task A_token_endpoint_that_is_down_means_retry_later_with_a_clear_reason()
    {
        var port = FreePort.Next();
        await using var rig = await SmartRig.StartAsync(TestKeys.RsaPkcs8, discover: false,
            configure: o => o.TokenUrl = $"http://127.0.0.1:{port}/token");

        var result = await rig.Sender.SendAsync(Some.MappedTemperature(), CancellationToken.None);

        var retry = Assert.IsType<DeliveryResult.RetryLater>(result);
        Assert.Contains("no access token for POST Device", retry.Reason);
        Assert.Contains($"connection refused by the token endpoint http://127.0.0.1:{port}/token", retry.Reason);
        Assert.Empty(rig.Fhir.Requests);
        Assert.Single(rig.TokenLog.Entries, e => e.EventId.Id == 3201 && e.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task A_key_the_ehr_does_not_know_is_refused_with_the_oauth_error_in_the_reason()
    {
        await using var rig = await SmartRig.StartAsync(TestKeys.EcPkcs8, registerKey: false);
        using var other = new TestKeys();
        rig.OAuth.Register(SmartRig.ClientId, TestKeys.JwksOf(other.Write(TestKeys.EcPkcs8)));

        var result = await rig.Sender.SendAsync(Some.MappedTemperature(), CancellationToken.None);

        var retry = Assert.IsType<DeliveryResult.RetryLater>(result);
        Assert.Contains("answered HTTP 401 invalid_client: unknown kid", retry.Reason);
        Assert.Contains("check Ehr:Auth:ClientId", retry.Reason);
        Assert.DoesNotContain(rig.Fhir.Requests, r => r.Method == "POST");
        rig.AssertNoSecretsLogged();
    }

    [Fact]
    public async Task While_the_token_endpoint_is_down_a_due_token_is_used_until_it_expires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = await SmartRig.StartAsync(TestKeys.EcPkcs8, time: time);
        Assert.IsType<DeliveryResult.Delivered>(await rig.Sender.SendAsync(Some.MappedTemperature("00-1C-05-00-00-01"), CancellationToken.None));
        rig.OAuth.Register(SmartRig.ClientId, """{"keys":[]}"""); // every further token request is refused

        time.Advance(TimeSpan.FromSeconds(250));
        Assert.IsType<DeliveryResult.Delivered>(await rig.Sender.SendAsync(Some.MappedTemperature("00-1C-05-00-00-02"), CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(60));
        var result = await rig.Sender.SendAsync(Some.MappedTemperature("00-1C-05-00-00-03"), CancellationToken.None);

        Assert.Contains("invalid_client", Assert.IsType<DeliveryResult.RetryLater>(result).Reason);
        Assert.Equal(3, rig.OAuth.TokenRequests);
    }
}
