using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vitals.Gateway.Delivery.Auth;

/// <summary>
/// The private key the gateway signs its SMART Backend Services client assertions with: RSA (RS384) or ECDSA P-384
/// (ES384), the two algorithms SMART clients shall support (SMART App Launch 2.x, Backend Services). Loaded from a PEM (PKCS#8, PKCS#1 RSA,
/// SEC 1 EC) or a JWK file with the private part. Key material never appears in <see cref="ToString"/> or errors.
/// </summary>
public sealed class SigningKey : IDisposable
{
    public const string RS384 = "RS384";
    public const string ES384 = "ES384";

    /// <summary>RSA below 2048 bits is refused: SMART (and every EHR vendor) requires at least that.</summary>
    public const int MinRsaBits = 2048;

    private readonly RSA? _rsa;
    private readonly ECDsa? _ec;

    private SigningKey(RSA? rsa, ECDsa? ec, string algorithm, string? keyId)
    {
        _rsa = rsa;
        _ec = ec;
        Algorithm = algorithm;
        KeyId = string.IsNullOrEmpty(keyId) ? Thumbprint() : keyId;
    }

    /// <summary><c>RS384</c> or <c>ES384</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The JWS <c>kid</c>: configured, or the RFC 7638 thumbprint of the public key.</summary>
    public string KeyId { get; }

    /// <summary>A new key: RSA 3072 bits for RS384, P-384 for ES384.</summary>
    public static SigningKey Generate(string algorithm, string? keyId = null) => algorithm switch
    {
        RS384 => new SigningKey(RSA.Create(3072), null, RS384, keyId),
        ES384 => new SigningKey(null, ECDsa.Create(ECCurve.NamedCurves.nistP384), ES384, keyId),
        _ => throw new ArgumentException($"unsupported algorithm '{algorithm}' (RS384 or ES384)", nameof(algorithm)),
    };

    /// <summary>
    /// Reads a private key file. <paramref name="algorithm"/> empty: inferred from the key; else it must fit it.
    /// The error names the problem without quoting the file's contents.
    /// </summary>
    public static bool TryLoad(
        string path, string? algorithm, string? keyId, [NotNullWhen(true)] out SigningKey? key, out string error)
    {
        key = null;
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error = $"cannot read '{path}': {ex.Message}";
            return false;
        }
        return TryParse(text, path, algorithm, keyId, out key, out error);
    }

    /// <summary>Parses PEM or JWK text; <paramref name="source"/> only names it in errors.</summary>
    public static bool TryParse(
        string text, string source, string? algorithm, string? keyId, [NotNullWhen(true)] out SigningKey? key, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        key = null;
        RSA? rsa = null;
        ECDsa? ec = null;
        try
        {
            var trimmed = text.TrimStart();
            if (trimmed.StartsWith('{'))
            {
                if (!TryImportJwk(trimmed, out rsa, out ec, out error))
                {
                    error = $"'{source}': {error}";
                    return false;
                }
            }
            else if (!TryImportPem(text, out rsa, out ec, out error))
            {
                error = $"'{source}': {error}";
                return false;
            }

            string inferred;
            if (rsa is not null)
            {
                if (rsa.KeySize < MinRsaBits)
                {
                    error = $"'{source}': RSA key of {rsa.KeySize} bits; at least {MinRsaBits} are required";
                    return false;
                }
                inferred = RS384;
            }
            else
            {
                var curve = ec!.ExportParameters(false).Curve;
                if (!IsP384(curve))
                {
                    error = $"'{source}': EC key on curve {curve.Oid?.FriendlyName ?? curve.Oid?.Value ?? "(unnamed)"}; ES384 needs P-384";
                    return false;
                }
                inferred = ES384;
            }

            if (!string.IsNullOrEmpty(algorithm) && !string.Equals(algorithm, inferred, StringComparison.Ordinal))
            {
                error = $"'{source}' holds {(rsa is not null ? "an RSA" : "a P-384 EC")} key, which signs {inferred}, not {algorithm}";
                return false;
            }
            key = new SigningKey(rsa, ec, inferred, keyId);
            rsa = null;
            ec = null;
            error = "";
            return true;
        }
        finally
        {
            rsa?.Dispose();
            ec?.Dispose();
        }
    }

    /// <summary>
    /// The JWS signature over <paramref name="signingInput"/>: RS384 = RSASSA-PKCS1-v1_5 with SHA-384; ES384 = ECDSA
    /// P-384 with SHA-384 as the fixed-length r||s (IEEE P1363) that RFC 7518 3.4 prescribes, not DER.
    /// </summary>
    public byte[] Sign(ReadOnlySpan<byte> signingInput) => _rsa is not null
        ? _rsa.SignData(signingInput, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1)
        : _ec!.SignData(signingInput, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>The public JWK (kty/n/e or kty/crv/x/y, kid, alg, use sig) to register with the EHR.</summary>
    public JsonObject PublicJwk()
    {
        var jwk = PublicMembers();
        jwk["kid"] = KeyId;
        jwk["alg"] = Algorithm;
        jwk["use"] = "sig";
        return jwk;
    }

    /// <summary>A JWKS (<c>{"keys":[...]}</c>) holding <see cref="PublicJwk"/>.</summary>
    public string PublicJwks() =>
        new JsonObject { ["keys"] = new JsonArray(PublicJwk()) }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>RFC 7638: SHA-256 over the required public members in lexicographic order, no white space.</summary>
    public string Thumbprint() => ThumbprintOf(PublicMembers());

    /// <summary>The RFC 7638 thumbprint of a public RSA or EC JWK (other members are ignored, as the RFC says).</summary>
    public static string ThumbprintOf(JsonObject publicJwk)
    {
        ArgumentNullException.ThrowIfNull(publicJwk);
        string Member(string name) => publicJwk[name]?.GetValue<string>()
            ?? throw new ArgumentException($"the JWK has no '{name}'", nameof(publicJwk));
        // Members in lexicographic order; base64url and the curve names need no JSON escaping.
        var canonical = Member("kty") switch
        {
            "RSA" => $$"""{"e":"{{Member("e")}}","kty":"RSA","n":"{{Member("n")}}"}""",
            "EC" => $$"""{"crv":"{{Member("crv")}}","kty":"EC","x":"{{Member("x")}}","y":"{{Member("y")}}"}""",
            var other => throw new ArgumentException($"unsupported kty '{other}'", nameof(publicJwk)),
        };
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>The private key as PKCS#8 PEM (for <c>keys generate</c>).</summary>
    public string ExportPkcs8Pem() => _rsa is not null ? _rsa.ExportPkcs8PrivateKeyPem() : _ec!.ExportPkcs8PrivateKeyPem();

    public override string ToString() => $"{Algorithm} key kid={KeyId}";

    public void Dispose()
    {
        _rsa?.Dispose();
        _ec?.Dispose();
    }

    private JsonObject PublicMembers()
    {
        if (_rsa is not null)
        {
            var p = _rsa.ExportParameters(false);
            return new JsonObject { ["kty"] = "RSA", ["n"] = Base64Url.EncodeToString(p.Modulus), ["e"] = Base64Url.EncodeToString(p.Exponent) };
        }
        var q = _ec!.ExportParameters(false).Q;
        return new JsonObject { ["kty"] = "EC", ["crv"] = "P-384", ["x"] = Base64Url.EncodeToString(q.X), ["y"] = Base64Url.EncodeToString(q.Y) };
    }

    private static bool IsP384(ECCurve curve) =>
        curve.IsNamed && (curve.Oid.Value == "1.3.132.0.34" || curve.Oid.FriendlyName is "nistP384" or "ECDSA_P384" or "secP384r1");

    private static bool TryImportPem(string text, out RSA? rsa, out ECDsa? ec, out string error)
    {
        rsa = null;
        ec = null;
        if (!PemEncoding.TryFind(text, out var fields))
        {
            error = "not a PEM file (no -----BEGIN ...----- block) and not a JWK";
            return false;
        }
        var label = text[fields.Label];
        byte[] der;
        try
        {
            der = Convert.FromBase64String(text[fields.Base64Data]);
        }
        catch (FormatException)
        {
            error = $"the PEM block '{label}' is not valid base64";
            return false;
        }
        try
        {
            switch (label)
            {
                case "PRIVATE KEY":
                    // PKCS#8 names its algorithm; trying RSA first and then EC reads either.
                    var r = RSA.Create();
                    try
                    {
                        r.ImportPkcs8PrivateKey(der, out _);
                        rsa = r;
                        break;
                    }
                    catch (CryptographicException)
                    {
                        r.Dispose();
                    }
                    var e = ECDsa.Create();
                    try
                    {
                        e.ImportPkcs8PrivateKey(der, out _);
                        ec = e;
                    }
                    catch (CryptographicException)
                    {
                        e.Dispose();
                        error = "the PKCS#8 private key is neither RSA nor EC";
                        return false;
                    }
                    break;
                case "RSA PRIVATE KEY":
                    rsa = RSA.Create();
                    rsa.ImportRSAPrivateKey(der, out _);
                    break;
                case "EC PRIVATE KEY":
                    ec = ECDsa.Create();
                    ec.ImportECPrivateKey(der, out _);
                    break;
                case "ENCRYPTED PRIVATE KEY":
                    error = "the private key is encrypted; store it unencrypted with file mode 600 (openssl pkcs8 -nocrypt)";
                    return false;
                case "PUBLIC KEY" or "RSA PUBLIC KEY" or "CERTIFICATE":
                    error = $"holds a {label}, not a private key";
                    return false;
                default:
                    error = $"unsupported PEM block '{label}' (expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)";
                    return false;
            }
        }
        catch (CryptographicException)
        {
            rsa?.Dispose();
            ec?.Dispose();
            rsa = null;
            ec = null;
            error = $"the PEM block '{label}' is not a valid key";
            return false;
        }
        error = "";
        return true;
    }

    private static bool TryImportJwk(string text, out RSA? rsa, out ECDsa? ec, out string error)
    {
        rsa = null;
        ec = null;
        JsonObject? jwk;
        try
        {
            jwk = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            error = "not valid JSON (expected a JWK)";
            return false;
        }
        // A JWKS with one key is accepted too: it is what some tools write.
        if (jwk?["keys"] is JsonArray { Count: 1 } keys)
            jwk = keys[0] as JsonObject;
        if (jwk is null)
        {
            error = "not a JWK object";
            return false;
        }
        string? Member(string name) => jwk[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        byte[]? Bytes(string name) => Base64Url.IsValid(Member(name) ?? "") && Member(name) is { Length: > 0 } s ? Base64Url.DecodeFromChars(s) : null;

        switch (Member("kty"))
        {
            case "RSA":
            {
                var p = new RSAParameters
                {
                    Modulus = Bytes("n"), Exponent = Bytes("e"), D = Bytes("d"), P = Bytes("p"), Q = Bytes("q"),
                    DP = Bytes("dp"), DQ = Bytes("dq"), InverseQ = Bytes("qi"),
                };
                if (p.D is null)
                {
                    error = "the JWK has no private part (d); this is a public key";
                    return false;
                }
                if (p.Modulus is null || p.Exponent is null || p.P is null || p.Q is null || p.DP is null || p.DQ is null || p.InverseQ is null)
                {
                    error = "the RSA JWK lacks one of n, e, p, q, dp, dq, qi";
                    return false;
                }
                try
                {
                    rsa = RSA.Create();
                    rsa.ImportParameters(p);
                }
                catch (CryptographicException)
                {
                    rsa?.Dispose();
                    rsa = null;
                    error = "the RSA JWK is not a valid key";
                    return false;
                }
                break;
            }
            case "EC":
            {
                if (Member("crv") != "P-384")
                {
                    error = $"EC JWK on curve '{Member("crv")}'; ES384 needs P-384";
                    return false;
                }
                var d = Bytes("d");
                if (d is null)
                {
                    error = "the JWK has no private part (d); this is a public key";
                    return false;
                }
                var x = Bytes("x");
                var y = Bytes("y");
                if (x is null || y is null)
                {
                    error = "the EC JWK lacks x or y";
                    return false;
                }
                try
                {
                    ec = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP384, D = d, Q = new ECPoint { X = x, Y = y } });
                }
                catch (CryptographicException)
                {
                    error = "the EC JWK is not a valid P-384 key";
                    return false;
                }
                break;
            }
            default:
                error = $"unsupported JWK kty '{Member("kty")}' (RSA or EC)";
                return false;
        }
        error = "";
        return true;
    }
}
