using System.Globalization;
using System.Text;

namespace Vitals.Gateway;

/// <summary>
/// Text a sender chose (an MQTT topic, a client id) made safe to store, log and print: control characters and
/// bidirectional overrides are escaped so they cannot end a log line, forge another one or move a terminal's cursor,
/// and the whole is cut to a length a table row can hold.
/// </summary>
public static class SafeText
{
    /// <summary>The default cap on one field: an MQTT topic may be 65,535 bytes (MQTT 5.0 §1.5.4), no vitals topic is.</summary>
    public const int DefaultMaxChars = 200;

    /// <summary>
    /// <paramref name="text"/> with <c>\</c> doubled and every C0/C1 control, DEL and bidirectional format character
    /// as <c>\xHH</c> or <c>\uHHHH</c> (CR, LF and TAB as <c>\r</c>, <c>\n</c>, <c>\t</c>); longer than
    /// <paramref name="maxChars"/> after escaping, it is cut and ends with "…(N chars)" giving the original length.
    /// </summary>
    public static string Escape(string? text, int maxChars = DefaultMaxChars) => Escape(text, maxChars, escapeBackslash: true);

    /// <summary>
    /// For text already stored (which <see cref="Escape(string?, int)"/> made safe, or an older row that it did not):
    /// escapes what could still act on a terminal but leaves backslashes alone, so an escape is not escaped twice.
    /// </summary>
    public static string ForTerminal(string? text, int maxChars = int.MaxValue) => Escape(text, maxChars, escapeBackslash: false);

    private static string Escape(string? text, int maxChars, bool escapeBackslash)
    {
        if (string.IsNullOrEmpty(text)) return "";
        if (text.Length <= maxChars && !NeedsEscape(text, escapeBackslash)) return text;
        var sb = new StringBuilder(text.Length + 16);
        var marker = string.Create(CultureInfo.InvariantCulture, $"…({text.Length} chars)");
        var keep = Math.Max(0, maxChars - marker.Length);
        var cutAt = 0; // the end of the last whole escape or character that fits beside the marker
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\\' when escapeBackslash: sb.Append(@"\\"); break;
                case '\r': sb.Append(@"\r"); break;
                case '\n': sb.Append(@"\n"); break;
                case '\t': sb.Append(@"\t"); break;
                default:
                    if (c < 0x20 || c is >= '\x7f' and <= '\x9f') sb.Append(@"\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                    else if (IsFormatOverride(c)) sb.Append(@"\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) sb.Append(c).Append(text[++i]);
                    else sb.Append(c);
                    break;
            }
            if (sb.Length <= keep) cutAt = sb.Length;
            if (sb.Length > maxChars) return sb.ToString(0, cutAt) + marker;
        }
        return sb.ToString();
    }

    private static bool NeedsEscape(string text, bool escapeBackslash)
    {
        foreach (var c in text)
            if ((c == '\\' && escapeBackslash) || c < 0x20 || c is >= '\x7f' and <= '\x9f' || IsFormatOverride(c)) return true;
        return false;
    }

    // Unicode bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the marks around
    // them reorder what a terminal shows, so an origin could display as a different topic than it is.
    private static bool IsFormatOverride(char c) => c is >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069' or '\u200e' or '\u200f' or '\u061c';
}
