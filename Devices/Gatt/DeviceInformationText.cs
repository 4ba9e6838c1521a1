using System.Text;
using System.Text.Unicode;

namespace Vitals.Devices.Gatt;

/// <summary>
/// The UTF-8 string characteristics of the Device Information Service 1.1 (Manufacturer Name 0x2A29, Model Number
/// 0x2A24, Serial Number 0x2A25, Firmware Revision 0x2A26): the whole value is the text, with no terminator (DIS 3.2 to
/// 3.7; GATT Specification Supplement, utf8s). Devices in the field pad with NULs or blanks: those are trimmed. Text that
/// is not UTF-8, empty, longer than <see cref="MaxLength"/> characters, or holds control characters is refused: it
/// would end up in the EHR's Device resource and on the status page. Never throws.
/// </summary>
public static class DeviceInformationText
{
    /// <summary>Longer than any real model or serial; a value beyond it is not a name but garbage.</summary>
    public const int MaxLength = 64;

    public static bool TryParse(ReadOnlySpan<byte> value, out string text)
    {
        text = "";
        var end = value.Length;
        while (end > 0 && value[end - 1] == 0) end--;
        var bytes = value[..end];
        if (!Utf8.IsValid(bytes)) return false;
        var decoded = Encoding.UTF8.GetString(bytes).Trim();
        if (decoded.Length is 0 or > MaxLength) return false;
        foreach (var c in decoded)
        {
            if (char.IsControl(c)) return false;
        }
        text = decoded;
        return true;
    }

    /// <summary>The characteristic value of <paramref name="text"/> (as a device serves it). False when it does not fit or breaks the rules above.</summary>
    public static bool TryFormat(string text, Span<byte> destination, out int written)
    {
        ArgumentNullException.ThrowIfNull(text);
        written = 0;
        if (text.Length is 0 or > MaxLength || text.Trim().Length != text.Length || text.Any(char.IsControl)) return false;
        if (Encoding.UTF8.GetByteCount(text) > destination.Length) return false;
        written = Encoding.UTF8.GetBytes(text, destination);
        return true;
    }
}
