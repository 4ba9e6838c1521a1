using System.Security.Cryptography;

namespace Vitals.Gateway.Storage;

/// <summary>How <see cref="IGatewayIdentity"/> makes a new installation id: the same rule for every provider.</summary>
internal static class GatewayIdentityValue
{
    public const string MetadataName = "gateway_id";

    /// <summary>
    /// A random EUI-64 marked locally administered (U/L bit set) and individual (I/G bit clear), as the IEEE guidelines
    /// for EUI-64 require of an identifier not assigned under an OUI; written as the PHD IG writes a SYSID.
    /// </summary>
    public static string New()
    {
        Span<byte> octets = stackalloc byte[8];
        RandomNumberGenerator.Fill(octets);
        octets[0] = (byte)((octets[0] | 0x02) & ~0x01);
        return string.Join('-', octets.ToArray().Select(o => o.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
