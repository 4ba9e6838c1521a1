using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Vitals.Devices.Json;

/// <summary>
/// The walk over one MQTT JSON payload (RFC 8259) with a <see cref="Utf8JsonReader"/>: no DOM, and no exception escapes
/// for any input. It finds the keys of the MQTT contract, rejects duplicates and ignores unknown keys, and hands each
/// known value (a <see cref="JsonToken"/>) to the <see cref="JsonFieldRules"/> in document order, so that the first
/// problem in the payload is the one reported. Malformed JSON is located by a byte offset (<c>byte 17</c>).
/// </summary>
internal static class JsonPayloadReader
{
    private const int MaxReaderMessageLength = 200;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    private static readonly SearchValues<char> IdentifierChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

    /// <summary>Reads <paramref name="utf8Json"/> into <paramref name="fields"/>; false with the first problem found.</summary>
    public static bool TryRead(ReadOnlySpan<byte> utf8Json, VitalKind kind, DecodeContext context, ref JsonFieldRules fields, out DecodeError error)
    {
        // RFC 8259 §8.1 lets a parser ignore a byte order mark, and editors on Windows add one to files people publish.
        var start = utf8Json.StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        var json = utf8Json[start..];
        if (json.IsEmpty)
        {
            error = new(DecodeErrorLocation.JsonPath("$"), "payload is empty; expected a JSON object");
            return false;
        }
        // Checked up front because the reader only notices invalid UTF-8 when a string is transcoded, and then throws
        // InvalidOperationException rather than a JsonException with a position.
        if (!Utf8.IsValid(json))
        {
            error = new(DecodeErrorLocation.PayloadByte(start + FirstInvalidUtf8(json)), "payload is not valid UTF-8");
            return false;
        }
        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            return TryReadObject(ref reader, kind, context, ref fields, out error);
        }
        catch (JsonException e)
        {
            error = SyntaxError(json, start, e);
            return false;
        }
    }

    private static bool TryReadObject(ref Utf8JsonReader reader, VitalKind kind, DecodeContext context, ref JsonFieldRules fields, out DecodeError error)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = new(DecodeErrorLocation.JsonPath("$"), $"expected a JSON object, got {JsonToken.From(ref reader).Describe()}");
            return false;
        }

        HashSet<string>? unknownKeys = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = Identify(ref reader, kind);
            if (field == JsonField.Unknown)
            {
                // Unknown keys are ignored so that newer publishers work with this gateway, but a repeated one still
                // makes the object ambiguous.
                var name = reader.GetString()!;
                if (!(unknownKeys ??= new(StringComparer.Ordinal)).Add(name))
                {
                    error = new(DecodeErrorLocation.JsonPath(PathOf(name)), $"duplicate key '{JsonToken.Echo(name)}'");
                    return false;
                }
                reader.Read();
                reader.Skip();
                continue;
            }

            var bit = 1 << (int)field;
            if ((seen & bit) != 0)
            {
                error = new(JsonFieldRules.Location(field), $"duplicate key '{JsonFieldRules.Name(field)}'");
                return false;
            }
            seen |= bit;

            reader.Read();
            if (field == JsonField.Device)
            {
                if (!JsonDeviceObject.TryRead(ref reader, out fields.Device, out error))
                {
                    return false;
                }
                continue;
            }
            if (!fields.TryAccept(field, JsonToken.From(ref reader, numberText: !JsonFieldRules.IsNumber(field)), kind, context, out error))
            {
                return false;
            }
            if (field == JsonField.Status && reader.TokenType == JsonTokenType.StartArray)
            {
                var index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (!fields.TryAcceptStatusFlag(index++, JsonToken.From(ref reader), out error))
                    {
                        return false;
                    }
                }
            }
        }
        // The loop stopped at the object's end; one more read reports any content after it as malformed JSON.
        reader.Read();
        error = default;
        return true;
    }

    private static JsonField Identify(ref Utf8JsonReader reader, VitalKind kind)
    {
        // ValueTextEquals compares unescaped text, so "\u0076alue" is "value" too.
        if (reader.ValueTextEquals("unit"u8)) return JsonField.Unit;
        if (reader.ValueTextEquals("time"u8)) return JsonField.Time;
        if (reader.ValueTextEquals("id"u8)) return JsonField.Id;
        if (reader.ValueTextEquals("status"u8)) return JsonField.Status;
        if (reader.ValueTextEquals("device"u8)) return JsonField.Device;
        if (kind == VitalKind.BloodPressure)
        {
            if (reader.ValueTextEquals("systolic"u8)) return JsonField.Systolic;
            if (reader.ValueTextEquals("diastolic"u8)) return JsonField.Diastolic;
            if (reader.ValueTextEquals("mean"u8)) return JsonField.Mean;
            if (reader.ValueTextEquals("pulse"u8)) return JsonField.Pulse;
            return JsonField.Unknown;
        }
        if (reader.ValueTextEquals("value"u8)) return JsonField.Value;
        // The contract defines a site for temperature only; elsewhere it is just an unknown key.
        if (kind == VitalKind.BodyTemperature && reader.ValueTextEquals("site"u8)) return JsonField.Site;
        return JsonField.Unknown;
    }

    private static string PathOf(string key)
    {
        var simple = key.Length > 0 && (char.IsAsciiLetter(key[0]) || key[0] == '_')
            && key.AsSpan().IndexOfAnyExcept(IdentifierChars) < 0;
        return simple && key.Length <= JsonToken.MaxEchoLength ? "$." + key : $"$['{JsonToken.Echo(key).Replace("'", "\\'")}']";
    }

    private static DecodeError SyntaxError(ReadOnlySpan<byte> json, int start, JsonException e)
    {
        // The reader reports a line and a byte within that line; devices send one line, but editors do not.
        long offset = start;
        var line = e.LineNumber ?? 0;
        var rest = json;
        while (line > 0 && rest.IndexOf((byte)'\n') is var newline and >= 0)
        {
            offset += newline + 1;
            rest = rest[(newline + 1)..];
            line--;
        }
        offset += e.BytePositionInLine ?? 0;
        // The reader's own message ends with " LineNumber: 0 | BytePositionInLine: 5." (Where already says that) and
        // may quote the offending input, so it is made log-safe like any other device text.
        var message = e.Message.AsSpan();
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return new(DecodeErrorLocation.PayloadByte(offset), "malformed JSON: " + DeviceText.Echo(cut >= 0 ? message[..cut] : message, MaxReaderMessageLength));
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        var index = 0;
        while (index < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[index..], out _, out var consumed) != OperationStatus.Done)
            {
                return index;
            }
            index += consumed;
        }
        return index;
    }
}
