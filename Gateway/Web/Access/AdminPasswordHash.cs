using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Vitals.Gateway.Web.Access;

/// <summary>
/// The admin password as stored: <c>pbkdf2-sha512$&lt;iterations&gt;$&lt;salt&gt;$&lt;hash&gt;</c> (base64), PBKDF2
/// (RFC 8018 5.2) with HMAC-SHA-512, a 16-byte random salt and 210,000 iterations (OWASP Password Storage Cheat Sheet,
/// PBKDF2-HMAC-SHA512). The iteration count is in the string, so a later default can raise it without breaking old hashes.
/// </summary>
public static class AdminPasswordHash
{
    public const string Prefix = "pbkdf2-sha512";
    public const int DefaultIterations = 210_000;
    public const int MinimumLength = 12;
    private const int SaltBytes = 16, HashBytes = 64;

    public static string Create(string password, int iterations = DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA512, HashBytes);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    /// <summary>Whether <paramref name="password"/> matches <paramref name="stored"/>; false for a malformed hash.</summary>
    public static bool Verify(string password, string? stored)
    {
        ArgumentNullException.ThrowIfNull(password);
        var parts = stored?.Split('$');
        if (parts is not [Prefix, var iterationText, var saltText, var hashText]
            || !int.TryParse(iterationText, NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 1)
            return false;
        try
        {
            var salt = Convert.FromBase64String(saltText);
            var expected = Convert.FromBase64String(hashText);
            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA512, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
