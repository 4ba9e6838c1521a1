using System.Text;

namespace Vitals.Devices;

/// <summary>Quoting text a device sent inside a <see cref="DecodeError"/> message.</summary>
public static class DeviceText
{
    /// <summary>
    /// The text made safe for one log line: cut to <paramref name="maxLength"/> characters (marked with "...") and
    /// control characters replaced by '?', so that a publisher can neither forge log lines nor bloat the rejected store.
    /// </summary>
    public static string Echo(ReadOnlySpan<char> text, int maxLength = 40)
    {
        var cut = text.Length > maxLength ? text[..maxLength] : text;
        // Never end on half a surrogate pair: the result must stay valid UTF-16.
        if (cut.Length < text.Length && cut.Length > 0 && char.IsHighSurrogate(cut[^1]))
        {
            cut = cut[..^1];
        }
        var builder = new StringBuilder(cut.Length + 3);
        foreach (var c in cut)
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }
        return cut.Length < text.Length ? builder.Append("...").ToString() : builder.ToString();
    }
}
