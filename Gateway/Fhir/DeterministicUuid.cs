using System.Security.Cryptography;
using System.Text;

namespace Vitals.Gateway.Fhir;

/// <summary>
/// Name-based UUIDs (RFC 9562 version 8 over SHA-256) for Bundle fullUrls: the same resource gets the same
/// <c>urn:uuid</c> on every run, so <c>decode</c> output and golden files are stable and a retried transaction is
/// byte-identical.
/// </summary>
public static class DeterministicUuid
{
    public static Guid Create(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary><c>urn:uuid:</c> followed by the lower-case UUID, as FHIR's uuid type requires.</summary>
    public static string Urn(string name) => "urn:uuid:" + Create(name).ToString("D");
}
