using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Vitals.Gateway.Tests.Delivery.Auth;

/// <summary>
/// A JWS verifier written from RFC 7515/7518 alone, independent of the gateway's signing code: it reads public keys
/// from a JWKS and checks a compact JWS's RS384 or ES384 signature with the key its <c>kid</c> names.
/// </summary>
internal sealed class JwksVerifier
{
    private readonly Dictionary<string, (string Alg, Func<byte[], byte[], bool> Verify)> _keys = new(StringComparer.Ordinal);

    public JwksVerifier(string jwksJson)
    {
        using var doc = JsonDocument.Parse(jwksJson);
        foreach (var jwk in doc.RootElement.GetProperty("keys").EnumerateArray())
        {
            string M(string name) => jwk.GetProperty(name).GetString()!;
            byte[] B(string name) => Base64Url.DecodeFromChars(M(name));
            Assert.False(jwk.TryGetProperty("d", out _), "a public JWKS must not carry the private part");
            var kid = M("kid");
            var alg = M("alg");
            Assert.Equal("sig", M("use"));
            switch (M("kty"))
            {
                case "RSA":
                {
                    var rsa = RSA.Create(new RSAParameters { Modulus = B("n"), Exponent = B("e") });
                    _keys[kid] = (alg, (data, sig) => rsa.VerifyData(data, sig, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1));
                    break;
                }
                case "EC":
                {
                    Assert.Equal("P-384", M("crv"));
                    var ec = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP384, Q = new ECPoint { X = B("x"), Y = B("y") } });
                    _keys[kid] = (alg, (data, sig) => ec.VerifyData(data, sig, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
                    break;
                }
                default:
                    throw new InvalidOperationException("unexpected kty " + M("kty"));
            }
        }
    }

    public IReadOnlyCollection<string> KeyIds => _keys.Keys;

    /// <summary>Null when the JWS verifies; else why not.</summary>
    public string? Check(string jws, out JsonElement header, out JsonElement claims)
    {
        header = default;
        claims = default;
        var parts = jws.Split('.');
        if (parts.Length != 3)
            return "not a compact JWS";
        try
        {
            header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement.Clone();
            claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement.Clone();
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return "header or claims not base64url JSON";
        }
        var kid = header.TryGetProperty("kid", out var k) ? k.GetString() : null;
        var alg = header.TryGetProperty("alg", out var a) ? a.GetString() : null;
        if (kid is null || !_keys.TryGetValue(kid, out var key))
            return $"unknown kid '{kid}'";
        if (alg != key.Alg)
            return $"alg {alg} does not match the registered {key.Alg}";
        byte[] signature;
        try
        {
            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (FormatException)
        {
            return "signature not base64url";
        }
        return key.Verify(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature) ? null : "bad signature";
    }
}
