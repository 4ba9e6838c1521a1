using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Delivery.Auth;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Delivery.Auth;

/// <summary>
/// A ConditionalCreateSender over its own EhrHttpClient with SMART Backend Services against the test authorization server and a scripted FHIR endpoint that
/// only accepts the tokens that server issued (and serves .well-known/smart-configuration).
/// </summary>
internal sealed class SmartRig : IAsyncDisposable
{
    public const string ClientId = "vitals-gateway-test";

    private readonly EhrHttpClient _http;

    private SmartRig(TestKeys keys, TestOAuthServer oauth, ScriptedFhirServer fhir, SmartTokenClient tokens, EhrHttpClient http, ConditionalCreateSender sender,
        RecordingLogger<SmartTokenClient> tokenLog, RecordingLogger<ConditionalCreateSender> senderLog, string keyPath)
    {
        Keys = keys;
        OAuth = oauth;
        Fhir = fhir;
        Tokens = tokens;
        _http = http;
        Sender = sender;
        TokenLog = tokenLog;
        SenderLog = senderLog;
        KeyPath = keyPath;
    }

    public TestKeys Keys { get; }
    public TestOAuthServer OAuth { get; }
    public ScriptedFhirServer Fhir { get; }
    public SmartTokenClient Tokens { get; }
    public ConditionalCreateSender Sender { get; }
    public RecordingLogger<SmartTokenClient> TokenLog { get; }
    public RecordingLogger<ConditionalCreateSender> SenderLog { get; }
    public string KeyPath { get; }

    /// <summary>What the FHIR endpoint does with an authorized request (default: conditional creates).</summary>
    public Func<RecordedRequest, ScriptedResponse> Behind { get; set; } = ScriptedFhirServer.ConditionalCreateServer();

    /// <param name="discover">true: no TokenUrl, found through .well-known; false: TokenUrl configured</param>
    public static async Task<SmartRig> StartAsync(
        string keyFormat = TestKeys.RsaPkcs8, bool discover = true, TimeProvider? time = null,
        Action<EhrAuthOptions>? configure = null, bool registerKey = true)
    {
        time ??= TimeProvider.System;
        var keys = new TestKeys();
        var keyPath = keys.Write(keyFormat);
        var oauth = await TestOAuthServer.StartAsync(time);
        if (registerKey)
            oauth.Register(ClientId, TestKeys.JwksOf(keyPath));
        SmartRig? rig = null;
        var fhir = await ScriptedFhirServer.StartAsync(r =>
        {
            if (r.Path.EndsWith("/.well-known/smart-configuration", StringComparison.Ordinal))
                return ScriptedResponse.Json(200, $$"""{"token_endpoint":"{{oauth.TokenUrl}}","capabilities":["client-confidential-asymmetric"]}""");
            return oauth.RefuseUnlessAuthorized(r) ?? rig!.Behind(r);
        });
        var smart = new EhrAuthOptions
        {
            Mode = EhrAuthMode.SmartBackendServices, ClientId = ClientId, PrivateKeyPath = keyPath, TokenUrl = discover ? null : oauth.TokenUrl,
        };
        configure?.Invoke(smart);
        var ehr = Options.Create(new EhrOptions { BaseUrl = fhir.BaseUrl, Auth = smart });
        var tokenLog = new RecordingLogger<SmartTokenClient>();
        var senderLog = new RecordingLogger<ConditionalCreateSender>();
        var tokens = new SmartTokenClient(ehr, time, tokenLog);
        var http = new EhrHttpClient(ehr, tokens, time, senderLog);
        var sender = new ConditionalCreateSender(http, senderLog);
        rig = new SmartRig(keys, oauth, fhir, tokens, http, sender, tokenLog, senderLog, keyPath);
        return rig;
    }

    public IReadOnlyList<RecordedRequest> Posts => Fhir.Requests.Where(r => r.Method == "POST").ToList();

    /// <summary>Neither a token, an assertion nor any key material reached a log line or a logged exception.</summary>
    public void AssertNoSecretsLogged()
    {
        var logged = TokenLog.Entries.Concat(SenderLog.Entries)
            .Select(e => e.Message + "\n" + e.Exception)
            .ToList();
        Assert.NotEmpty(OAuth.Assertions);
        var keyText = File.ReadAllText(KeyPath);
        var secrets = OAuth.IssuedTokens.Concat(OAuth.Assertions)
            // Stretches of the key file's base64 (PEM) or private members (JWK).
            .Concat(Enumerable.Range(0, 4).Select(i => keyText.Substring(keyText.Length / 3 + (i * 24), 24)))
            .ToList();
        foreach (var line in logged)
        {
            Assert.DoesNotContain("PRIVATE KEY", line, StringComparison.Ordinal);
            foreach (var secret in secrets)
                Assert.DoesNotContain(secret, line, StringComparison.Ordinal);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Sender.Dispose();
        _http.Dispose();
        Tokens.Dispose();
        await Fhir.DisposeAsync();
        await OAuth.DisposeAsync();
        Keys.Dispose();
    }
}
