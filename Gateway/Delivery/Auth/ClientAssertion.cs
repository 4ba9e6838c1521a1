using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Vitals.Gateway.Delivery.Auth;

/// <summary>
/// The SMART Backend Services client assertion (RFC 7523 private_key_jwt): a compact JWS with header alg/typ/kid and
/// claims iss = sub = client id, aud = the token URL, exp at most 5 minutes ahead, iat and a unique jti.
/// </summary>
public static class ClientAssertion
{
    /// <summary>The most SMART allows between now and <c>exp</c>.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(5);

    /// <summary>What the gateway uses: under the maximum, so a server clock a little ahead still accepts it.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(4);

    public const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /// <summary>A signed assertion. A credential in its own right (a replayable token request): never log it.</summary>
    public static string Create(SigningKey key, string clientId, string audience, DateTimeOffset now, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ArgumentException.ThrowIfNullOrEmpty(audience);
        var life = lifetime ?? DefaultLifetime;
        if (life <= TimeSpan.Zero || life > MaxLifetime)
            throw new ArgumentOutOfRangeException(nameof(lifetime), life, "a client assertion lives more than 0 and at most 5 minutes");

        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["alg"] = key.Algorithm,
            ["typ"] = "JWT",
            ["kid"] = key.KeyId,
        });
        var issuedAt = now.ToUnixTimeSeconds();
        var claims = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = clientId,
            ["sub"] = clientId,
            ["aud"] = audience,
            // Whole seconds, rounded down: exp never lands beyond now + lifetime.
            ["exp"] = (now + life).ToUnixTimeSeconds(),
            ["iat"] = issuedAt,
            // 128 random bits: the server refuses a jti it has seen, so each assertion is usable once.
            ["jti"] = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
        });
        var signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(claims);
        var signature = key.Sign(Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }
}
