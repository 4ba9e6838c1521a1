using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Vitals.Gateway.Ingest.Ble;

/// <summary>
/// A Bluetooth UUID (Web Bluetooth / InTheHand.BluetoothLE shape). 16-bit SIG UUIDs live on the Base UUID
/// <c>0000xxxx-0000-1000-8000-00805f9b34fb</c> (Core spec vol 3 part B 2.5.1), so one 128-bit value covers both.
/// Its text form is the lower-case 128-bit form BlueZ uses on D-Bus.
/// </summary>
public readonly record struct BluetoothUuid
{
    private const string BaseSuffix = "-0000-1000-8000-00805f9b34fb";

    private readonly Guid _value;

    private BluetoothUuid(Guid value) => _value = value;

    public Guid Value => _value;

    /// <summary>The 16-bit SIG id when this UUID lies on the Base UUID, otherwise null.</summary>
    public ushort? ShortId
    {
        get
        {
            var text = ToString();
            return text.StartsWith("0000", StringComparison.Ordinal) && text.EndsWith(BaseSuffix, StringComparison.Ordinal)
                ? ushort.Parse(text.AsSpan(4, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
                : null;
        }
    }

    public static BluetoothUuid FromShortId(ushort id) =>
        new(Guid.ParseExact(string.Create(CultureInfo.InvariantCulture, $"0000{id:x4}{BaseSuffix}"), "D"));

    /// <summary>Four hex digits (<c>2a1c</c>, optionally <c>0x</c>-prefixed) or the 128-bit form, any case.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out BluetoothUuid uuid)
    {
        uuid = default;
        if (text is null)
        {
            return false;
        }
        var span = text.AsSpan().Trim();
        if (span.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            span = span[2..];
        }
        if (span.Length == 4)
        {
            if (!ushort.TryParse(span, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id))
            {
                return false;
            }
            uuid = FromShortId(id);
            return true;
        }
        if (span.Length == 36 && Guid.TryParseExact(span, "D", out var guid))
        {
            uuid = new(guid);
            return true;
        }
        return false;
    }

    public static BluetoothUuid Parse(string text) =>
        TryParse(text, out var uuid) ? uuid : throw new FormatException($"'{text}' is not a Bluetooth UUID (4 hex digits or the 128-bit form)");

    /// <summary>The topic form of a characteristic: four lower-case hex digits for a SIG UUID, else the 128-bit form.</summary>
    public string ToShortString() =>
        ShortId is { } id ? id.ToString("x4", CultureInfo.InvariantCulture) : ToString();

    public override string ToString() => _value.ToString("D");

    public static implicit operator BluetoothUuid(ushort shortId) => FromShortId(shortId);
}
