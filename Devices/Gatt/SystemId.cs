using System.Buffers.Binary;
using System.Globalization;

namespace Vitals.Devices.Gatt;

/// <summary>
/// System ID 0x2A23 (Device Information Service 1.1, 3.1): an EUI-64 sent as a 40-bit manufacturer-defined identifier
/// followed by the 24-bit Organizationally Unique Identifier, each little-endian, i.e. the EUI-64 as a little-endian
/// uint64. <see cref="Eui64"/> is the EUI-64 with its most significant octet (the OUI's first) first, as the IEEE
/// Registration Authority writes it. An all-zero value names nothing and is refused. Never throws.
/// </summary>
public readonly record struct SystemId(ulong Eui64)
{
    public const int Length = 8;

    public uint OrganizationallyUniqueIdentifier => (uint)(Eui64 >> 40);

    public ulong ManufacturerIdentifier => Eui64 & 0xFF_FFFF_FFFF;

    public static bool TryParse(ReadOnlySpan<byte> value, out SystemId systemId)
    {
        systemId = default;
        if (value.Length != Length) return false;
        var eui = BinaryPrimitives.ReadUInt64LittleEndian(value);
        if (eui == 0) return false;
        systemId = new SystemId(eui);
        return true;
    }

    public bool TryFormat(Span<byte> destination, out int written)
    {
        written = 0;
        if (destination.Length < Length || Eui64 == 0) return false;
        BinaryPrimitives.WriteUInt64LittleEndian(destination, Eui64);
        written = Length;
        return true;
    }

    /// <summary>The PHD IG's SYSID identifier value: the eight octets, most significant first, upper-case hex, dash-separated.</summary>
    public override string ToString()
    {
        Span<byte> octets = stackalloc byte[Length];
        BinaryPrimitives.WriteUInt64BigEndian(octets, Eui64);
        var hex = Convert.ToHexString(octets);
        return string.Join('-', Enumerable.Range(0, Length).Select(i => hex.Substring(i * 2, 2)));
    }

    /// <summary>Parses <see cref="ToString"/>'s form (either case, dashes or colons), e.g. a stored or reported value.</summary>
    public static bool TryParseText(string? text, out SystemId systemId)
    {
        systemId = default;
        if (text is null || text.Length != Length * 3 - 1) return false;
        ulong eui = 0;
        for (var i = 0; i < Length; i++)
        {
            if (i > 0 && text[i * 3 - 1] is not ('-' or ':')) return false;
            if (!byte.TryParse(text.AsSpan(i * 3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var octet)) return false;
            eui = eui << 8 | octet;
        }
        if (eui == 0) return false;
        systemId = new SystemId(eui);
        return true;
    }
}
