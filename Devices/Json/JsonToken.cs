using System.Text;
using System.Text.Json;

namespace Vitals.Devices.Json;

/// <summary>
/// One JSON value as the payload reader found it, detached from the <see cref="Utf8JsonReader"/> so that the field
/// rules never touch the reader: its token type, its text (a string unescaped, a number as written) and, for a
/// number, the <see cref="decimal"/> it is when it fits one. A number's text is only kept where it can be needed (an id,
/// an error message), so that a well-formed value costs no string.
/// </summary>
internal readonly record struct JsonToken(JsonTokenType Type, string? Text, decimal? Number, int Utf8Length)
{
    // How much of a bad value an error message quotes.
    public const int MaxEchoLength = 40;

    /// <param name="reader">The reader, on the value.</param>
    /// <param name="numberText">Keep a number's text even when it is a valid decimal (an id is kept as written).</param>
    public static JsonToken From(ref Utf8JsonReader reader, bool numberText = true)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return new(reader.TokenType, reader.GetString(), null, reader.ValueSpan.Length);
            case JsonTokenType.Number:
                // decimal keeps the scale as written (37.60 stays 37.60), which FHIR passes on as the reading's precision.
                decimal? number = reader.TryGetDecimal(out var value) ? value : null;
                var text = numberText || number is null ? Encoding.UTF8.GetString(reader.ValueSpan) : null;
                return new(reader.TokenType, text, number, reader.ValueSpan.Length);
            default:
                return new(reader.TokenType, null, null, 0);
        }
    }

    /// <summary>"a string ("NaN")", "an object", ...: what the payload had where something else was expected.</summary>
    public string Describe() => Type switch
    {
        JsonTokenType.String => $"a string (\"{Echo(Text!)}\")",
        JsonTokenType.Number => $"a number ({Echo(Text!)})",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        var other => other.ToString(),
    };

    public static string Echo(string text) => DeviceText.Echo(text, MaxEchoLength);
}
