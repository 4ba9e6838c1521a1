using System.Security.Cryptography;
using System.Text;

namespace Vitals.Gateway.Patients;

/// <summary>
/// The short code a clinic hands a patient (<c>patients enrol</c>) to open the pairing page on their behalf: 8
/// characters of an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B), about 37 bits, shown as
/// <c>ABCD-EFGH</c>. Only its SHA-256 is stored: the code is a bearer secret until it is used or expires.
/// </summary>
public static class EnrolmentCode
{
    public const string Alphabet = "ACDEFGHJKMNPQRTUVWXY34679";
    public const int Length = 8;

    /// <summary>How long a code works if it is not used: a weekend between the clinic visit and the pairing.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(72);

    /// <summary>A new random code (RandomNumberGenerator: uniform over the alphabet), as displayed: <c>ABCD-EFGH</c>.</summary>
    public static string Generate()
    {
        var chars = new char[Length];
        for (var i = 0; i < Length; i++) chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        return new string(chars, 0, 4) + "-" + new string(chars, 4, 4);
    }

    /// <summary>
    /// The code as typed (any case, spaces or dashes anywhere) in canonical form, or null when it cannot be a code
    /// (wrong length or a character outside the alphabet).
    /// </summary>
    public static string? Normalize(string? typed)
    {
        if (typed is null) return null;
        var sb = new StringBuilder(Length);
        foreach (var ch in typed)
        {
            if (ch is ' ' or '-' or '\t') continue;
            var up = char.ToUpperInvariant(ch);
            if (!Alphabet.Contains(up, StringComparison.Ordinal) || sb.Length == Length) return null;
            sb.Append(up);
        }
        return sb.Length == Length ? sb.ToString() : null;
    }

    /// <summary>The stored form of a normalised code: lowercase hex SHA-256.</summary>
    public static string Hash(string normalized) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(normalized)));
}
