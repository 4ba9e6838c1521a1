using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vitals.Gateway.Delivery.Auth;

namespace Vitals.Gateway.Tests.Delivery.Auth;

public sealed class ClientAssertionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 8, 30, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(SigningKey.RS384)]
    [InlineData(SigningKey.ES384)]
    public void Carries_the_smart_claims_and_verifies_with_the_public_jwks(string algorithm)
    {
        using var key = SigningKey.Generate(algorithm);

        var jws = ClientAssertion.Create(key, "client-7", "https://auth.example.org/token", Now);

        var verifier = new JwksVerifier(key.PublicJwks());
        Assert.Null(verifier.Check(jws, out var header, out var claims));
        Assert.Equal(algorithm, header.GetProperty("alg").GetString());
        Assert.Equal("JWT", header.GetProperty("typ").GetString());
        Assert.Equal(key.Thumbprint(), header.GetProperty("kid").GetString());
        Assert.Equal("client-7", claims.GetProperty("iss").GetString());
        Assert.Equal("client-7", claims.GetProperty("sub").GetString());
        Assert.Equal("https://auth.example.org/token", claims.GetProperty("aud").GetString());
        Assert.Equal(Now.ToUnixTimeSeconds(), claims.GetProperty("iat").GetInt64());
        var exp = claims.GetProperty("exp").GetInt64();
        Assert.InRange(exp - Now.ToUnixTimeSeconds(), 1, 300);
        Assert.Equal(16, Base64Url.DecodeFromChars(claims.GetProperty("jti").GetString()).Length);
        if (algorithm == SigningKey.ES384)
            Assert.Equal(96, Base64Url.DecodeFromChars(jws.Split('.')[2]).Length); // r||s, 48 bytes each, not DER
    }

    [Fact]
    public void Every_assertion_has_its_own_jti()
    {
        using var key = SigningKey.Generate(SigningKey.ES384);
        var jtis = Enumerable.Range(0, 50)
            .Select(_ => ClientAssertion.Create(key, "c", "https://a/token", Now).Split('.')[1])
            .Select(p => JsonDocument.Parse(Base64Url.DecodeFromChars(p)).RootElement.GetProperty("jti").GetString())
            .ToHashSet();
        Assert.Equal(50, jtis.Count);
    }

    [Fact]
    public void A_lifetime_beyond_five_minutes_is_a_bug()
    {
        using var key = SigningKey.Generate(SigningKey.ES384);
        Assert.Throws<ArgumentOutOfRangeException>(() => ClientAssertion.Create(key, "c", "https://a/token", Now, TimeSpan.FromMinutes(6)));
    }

    [Fact]
    public void A_tampered_assertion_does_not_verify()
    {
        using var key = SigningKey.Generate(SigningKey.RS384);
        var parts = ClientAssertion.Create(key, "c", "https://a/token", Now).Split('.');
        var forged = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { iss = "other", sub = "other", aud = "https://a/token" }));

        Assert.Equal("bad signature", new JwksVerifier(key.PublicJwks()).Check($"{parts[0]}.{forged}.{parts[2]}", out _, out _));
    }

    [Fact]
    public void The_thumbprint_is_rfc_7638s_worked_example()
    {
        var jwk = new JsonObject
        {
            ["kty"] = "RSA",
            ["n"] = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            ["e"] = "AQAB",
            ["alg"] = "RS256",
            ["kid"] = "2011-04-29",
        };

        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", SigningKey.ThumbprintOf(jwk));
    }

    [Theory]
    [InlineData(TestKeys.RsaPkcs8)]
    [InlineData(TestKeys.EcJwk)]
    public void A_key_read_back_from_its_file_has_the_same_public_key(string format)
    {
        using var keys = new TestKeys();
        var path = keys.Write(format);
        Assert.True(SigningKey.TryLoad(path, null, null, out var first, out var error), error);
        Assert.True(SigningKey.TryLoad(path, null, null, out var second, out error), error);
        using (first)
        using (second)
        {
            Assert.Equal(first.Thumbprint(), second.Thumbprint());
            Assert.Equal(first.Thumbprint(), first.KeyId);
            Assert.Null(new JwksVerifier(second.PublicJwks()).Check(ClientAssertion.Create(first, "c", "https://a/token", Now), out _, out _));
        }
    }
}
