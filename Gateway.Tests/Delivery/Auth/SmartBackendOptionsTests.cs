using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Delivery.Auth;

namespace Vitals.Gateway.Tests.Delivery.Auth;

public sealed class SmartBackendOptionsTests : IDisposable
{
    private readonly TestKeys _keys = new();

    private static ServiceProvider Provider(params (string Key, string Value)[] values) =>
        new ServiceCollection().AddLogging().AddEhrDelivery(new ConfigurationBuilder()
            .AddInMemoryCollection(new[] { ("Ehr:BaseUrl", "https://ehr.example.org/fhir/R4"), ("Ehr:Auth:Mode", "SmartBackendServices") }
                .Concat(values).Select(v => new KeyValuePair<string, string?>(v.Item1, v.Item2)))
            .Build()).BuildServiceProvider();

    [Fact]
    public void Binds_the_flat_ehr_auth_keys_and_builds_a_token_client()
    {
        var key = _keys.Write(TestKeys.EcPkcs8);
        using var provider = Provider(("Ehr:Auth:ClientId", "gw-1"), ("Ehr:Auth:PrivateKeyPath", key), ("Ehr:Auth:KeyId", "k-2026"),
            ("Ehr:Auth:TokenUrl", "https://auth.example.org/token"), ("Ehr:Auth:RefreshBefore", "00:02:00"));

        var options = provider.GetRequiredService<IOptions<EhrOptions>>().Value.Auth;

        Assert.Equal("gw-1", options.ClientId);
        Assert.Equal(key, options.PrivateKeyPath);
        Assert.Equal("k-2026", options.KeyId);
        Assert.Equal("https://auth.example.org/token", options.TokenUrl);
        Assert.Equal(EhrAuthOptions.DefaultScope, options.Scope);
        Assert.Equal(TimeSpan.FromMinutes(2), options.RefreshBefore);
        var client = Assert.IsType<SmartTokenClient>(provider.GetRequiredService<IEhrAuthenticator>());
        Assert.Equal("ES384 key kid=k-2026", client.KeyDescription);
        Assert.NotNull(provider.GetRequiredService<ConditionalCreateSender>());
    }

    [Fact]
    public void Other_modes_do_not_look_at_the_smart_keys()
    {
        using var provider = new ServiceCollection().AddLogging().AddEhrDelivery(new ConfigurationBuilder()
            .AddInMemoryCollection([new("Ehr:BaseUrl", "https://ehr.example.org/fhir/R4"), new("Ehr:Auth:Mode", "None")]).Build())
            .BuildServiceProvider();

        Assert.Equal("", provider.GetRequiredService<IOptions<EhrOptions>>().Value.Auth.ClientId);
        Assert.IsType<StaticEhrAuthenticator>(provider.GetRequiredService<IEhrAuthenticator>());
    }

    public static TheoryData<string, string> Invalid() => new()
    {
        { "no-client", "Ehr:Auth:ClientId is required when Ehr:Auth:Mode is SmartBackendServices" },
        { "no-key", "Ehr:Auth:PrivateKeyPath is required" },
        { "missing-file", "Ehr:Auth:PrivateKeyPath: no file" },
        { "public-key", "holds a PUBLIC KEY, not a private key" },
        { "public-jwk", "the JWK has no private part (d); this is a public key" },
        { "p256", "ES384 needs P-384" },
        { "rsa1024", "RSA key of 1024 bits; at least 2048 are required" },
        { "alg-mismatch", "key, which signs ES384, not RS384" },
        { "bad-alg", "Ehr:Auth:Algorithm must be RS384 or ES384 (got 'HS256')" },
        { "garbage", "not a PEM file" },
        { "encrypted", "the private key is encrypted" },
        { "token-url", "Ehr:Auth:TokenUrl must be an absolute http(s) URL (got 'auth/token')" },
        { "refresh", "Ehr:Auth:RefreshBefore must be between 0 and 1 hour" },
        { "http-token-url", "Ehr:Auth:TokenUrl must be https for a host other than loopback (got 'http://auth.example.org/token'); set Ehr:AllowInsecureHttp" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_settings_stop_start_up_with_a_message_naming_the_key(string @case, string expected)
    {
        var settings = new Dictionary<string, string> { ["Ehr:Auth:ClientId"] = "gw-1", ["Ehr:Auth:PrivateKeyPath"] = _keys.Write(TestKeys.EcPkcs8) };
        using var ecP256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsa1024 = RSA.Create(1024);
        switch (@case)
        {
            case "no-client": settings.Remove("Ehr:Auth:ClientId"); break;
            case "no-key": settings.Remove("Ehr:Auth:PrivateKeyPath"); break;
            case "missing-file": settings["Ehr:Auth:PrivateKeyPath"] = Path.Combine(_keys.Directory, "nope.pem"); break;
            case "public-key": settings["Ehr:Auth:PrivateKeyPath"] = _keys.WriteText("pub.pem", ecP256.ExportSubjectPublicKeyInfoPem()); break;
            case "public-jwk": settings["Ehr:Auth:PrivateKeyPath"] = _keys.WriteText("pub.jwk", TestKeys.JwksOf(settings["Ehr:Auth:PrivateKeyPath"])); break;
            case "p256": settings["Ehr:Auth:PrivateKeyPath"] = _keys.WriteText("p256.pem", ecP256.ExportPkcs8PrivateKeyPem()); break;
            case "rsa1024": settings["Ehr:Auth:PrivateKeyPath"] = _keys.WriteText("rsa1024.pem", rsa1024.ExportPkcs8PrivateKeyPem()); break;
            case "alg-mismatch": settings["Ehr:Auth:Algorithm"] = "RS384"; break;
            case "bad-alg": settings["Ehr:Auth:Algorithm"] = "HS256"; break;
            case "garbage": settings["Ehr:Auth:PrivateKeyPath"] = _keys.WriteText("garbage.pem", "hello"); break;
            case "encrypted":
                settings["Ehr:Auth:PrivateKeyPath"] = _keys.WriteText("enc.pem", ecP256.ExportEncryptedPkcs8PrivateKeyPem("pw",
                    new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)));
                break;
            case "token-url": settings["Ehr:Auth:TokenUrl"] = "auth/token"; break;
            case "refresh": settings["Ehr:Auth:RefreshBefore"] = "-00:00:01"; break;
            case "http-token-url": settings["Ehr:Auth:TokenUrl"] = "http://auth.example.org/token"; break;
        }
        using var provider = Provider([.. settings.Select(kv => (kv.Key, kv.Value))]);

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<EhrOptions>>().Value);

        Assert.Contains(expected, ex.Message);
        // Errors name the file, never its contents.
        Assert.DoesNotContain("KEY-----", ex.Message);
    }

    [Fact]
    public void Plain_http_token_endpoint_on_another_host_passes_with_Ehr_AllowInsecureHttp()
    {
        using var provider = Provider(("Ehr:Auth:ClientId", "gw-1"), ("Ehr:Auth:PrivateKeyPath", _keys.Write(TestKeys.EcPkcs8)),
            ("Ehr:Auth:TokenUrl", "http://auth.example.org/token"), ("Ehr:AllowInsecureHttp", "true"));

        Assert.Equal("http://auth.example.org/token", provider.GetRequiredService<IOptions<EhrOptions>>().Value.Auth.TokenUrl);
    }

    [Fact]
    public void ToString_names_the_key_file_but_carries_no_key_material()
    {
        var options = new EhrAuthOptions { ClientId = "gw", PrivateKeyPath = "/etc/vitals/key.pem" };
        Assert.Contains("PrivateKeyPath=/etc/vitals/key.pem", options.ToString());
        Assert.Equal("Bearer (token set)", EhrAuthorization.Bearer("secret-token").ToString());
    }

    public void Dispose() => _keys.Dispose();
}
