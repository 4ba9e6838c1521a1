using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Vitals.Gateway.Delivery.Auth;

namespace Vitals.Gateway.Tests.Delivery.Auth;

/// <summary>Private key files in every format the gateway reads, in a temporary directory deleted on dispose.</summary>
internal sealed class TestKeys : IDisposable
{
    public const string RsaPkcs8 = "rsa-pkcs8.pem";
    public const string RsaPkcs1 = "rsa-pkcs1.pem";
    public const string RsaJwk = "rsa.jwk";
    public const string EcPkcs8 = "ec-pkcs8.pem";
    public const string EcSec1 = "ec-sec1.pem";
    public const string EcJwk = "ec.jwk";

    public TestKeys()
    {
        Directory = Path.Combine(Path.GetTempPath(), "vg-keys-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    /// <summary>Writes a new key in <paramref name="format"/> (one of the constants) and returns its path.</summary>
    public string Write(string format, string? name = null)
    {
        var path = Path.Combine(Directory, name ?? format);
        File.WriteAllText(path, format switch
        {
            RsaPkcs8 => Rsa(r => r.ExportPkcs8PrivateKeyPem()),
            RsaPkcs1 => Rsa(r => r.ExportRSAPrivateKeyPem()),
            RsaJwk => Rsa(r =>
            {
                var p = r.ExportParameters(true);
                return new JsonObject
                {
                    ["kty"] = "RSA", ["n"] = B(p.Modulus), ["e"] = B(p.Exponent), ["d"] = B(p.D), ["p"] = B(p.P), ["q"] = B(p.Q),
                    ["dp"] = B(p.DP), ["dq"] = B(p.DQ), ["qi"] = B(p.InverseQ),
                }.ToJsonString();
            }),
            EcPkcs8 => Ec(e => e.ExportPkcs8PrivateKeyPem()),
            EcSec1 => Ec(e => e.ExportECPrivateKeyPem()),
            EcJwk => Ec(e =>
            {
                var p = e.ExportParameters(true);
                return new JsonObject { ["kty"] = "EC", ["crv"] = "P-384", ["x"] = B(p.Q.X), ["y"] = B(p.Q.Y), ["d"] = B(p.D) }.ToJsonString();
            }),
            _ => throw new ArgumentException("unknown format " + format, nameof(format)),
        });
        return path;
    }

    /// <summary>Writes arbitrary text (a public key, a P-256 key, garbage) and returns its path.</summary>
    public string WriteText(string name, string text)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The public JWKS of the key in <paramref name="path"/>, as `keys jwks` would print it.</summary>
    public static string JwksOf(string path, string? kid = null)
    {
        Assert.True(SigningKey.TryLoad(path, null, kid, out var key, out var error), error);
        using (key)
            return key.PublicJwks();
    }

    private static string Rsa(Func<RSA, string> export)
    {
        using var rsa = RSA.Create(2048);
        return export(rsa);
    }

    private static string Ec(Func<ECDsa, string> export)
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        return export(ec);
    }

    private static string B(byte[]? bytes) => Base64Url.EncodeToString(bytes);

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
