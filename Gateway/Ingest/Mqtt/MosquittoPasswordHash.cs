using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>
/// A salted PBKDF2-HMAC-SHA512 password hash in mosquitto's <c>$7$</c> form,
/// <c>$7${iterations}${base64 salt}${base64 hash}</c> (mosquitto_passwd(1), "-H sha512-pbkdf2"): one form for the
/// embedded broker's check at CONNECT and for a password file exported to mosquitto, which reads it as it is.
/// </summary>
public sealed record MosquittoPasswordHash
{
    public const string Prefix = "$7$";

    /// <summary>mosquitto_passwd's own salt length.</summary>
    public const int SaltBytes = 12;

    /// <summary>SHA-512's output: the whole digest is stored.</summary>
    public const int HashBytes = 64;

    private MosquittoPasswordHash(int iterations, byte[] salt, byte[] hash)
    {
        Iterations = iterations;
        Salt = salt;
        Hash = hash;
    }

    public int Iterations { get; }

    public IReadOnlyList<byte> Salt { get; }

    public IReadOnlyList<byte> Hash { get; }

    /// <summary>A new hash of <paramref name="password"/> with a fresh random salt.</summary>
    public static MosquittoPasswordHash Create(string password, int iterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return new MosquittoPasswordHash(iterations, salt, Derive(password, salt, iterations, HashBytes));
    }

    /// <summary>Parses the stored text form. Never throws: a hand-edited or foreign line is false.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out MosquittoPasswordHash? hash)
    {
        hash = null;
        if (text is null || !text.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var parts = text[Prefix.Length..].Split('$');
        if (parts.Length != 3
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 1)
        {
            return false;
        }
        try
        {
            var salt = Convert.FromBase64String(parts[1]);
            var digest = Convert.FromBase64String(parts[2]);
            if (salt.Length == 0 || digest.Length == 0) return false;
            hash = new MosquittoPasswordHash(iterations, salt, digest);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="password"/> is the one hashed; compared in constant time.</summary>
    public bool Verify(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var salt = (byte[])Salt;
        var expected = (byte[])Hash;
        return CryptographicOperations.FixedTimeEquals(Derive(password, salt, Iterations, expected.Length), expected);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Iterations}${Convert.ToBase64String((byte[])Salt)}${Convert.ToBase64String((byte[])Hash)}");

    private static byte[] Derive(string password, byte[] salt, int iterations, int length) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA512, length);
}
