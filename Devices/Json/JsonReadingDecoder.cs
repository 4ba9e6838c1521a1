using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Vitals.Devices.Json;

/// <summary>
/// Decodes the JSON payload of one MQTT reading (design.md, "MQTT contract"; "Bad input") straight from UTF-8 with a
/// <see cref="Utf8JsonReader"/>: no DOM, and no exception escapes for any input. The first problem found wins;
/// its location is a JSON path (<c>$.systolic</c>, <c>$.status[2]</c>, <c>$</c>) or, for malformed JSON, a byte
/// offset (<c>byte 17</c>).
/// </summary>
public static class JsonReadingDecoder
{
    private const int MaxIdLength = 64;
    private const int MaxSiteLength = 32;
    // Far longer than any ISO 8601 date-time (2026-11-25T08:30:00.1234567+01:00 is 33 characters).
    private const int MaxTimeLength = 64;
    // Unit texts are short; anything longer is not a unit and is reported without a stack copy.
    private const int MaxUnitLength = 32;
    // How much of a bad value an error message quotes.
    private const int MaxEchoLength = 40;
    private const int MaxReaderMessageLength = 200;
    private const string TimeExample = "2026-11-25T08:30:00+01:00";

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    // The status flags of the MQTT contract; a flag we do not understand could mean the value is invalid, so unknown
    // flags reject the message rather than being dropped.
    private static readonly (byte[] Name, MeasurementStatus Flag)[] StatusFlags =
    [
        ("body-movement"u8.ToArray(), MeasurementStatus.BodyMovement),
        ("cuff-loose"u8.ToArray(), MeasurementStatus.CuffLoose),
        ("irregular-pulse"u8.ToArray(), MeasurementStatus.IrregularPulse),
        ("pulse-out-of-range"u8.ToArray(), MeasurementStatus.PulseRateOutOfRange),
        ("improper-position"u8.ToArray(), MeasurementStatus.ImproperPosition),
        ("questionable"u8.ToArray(), MeasurementStatus.Questionable),
        ("calibrating"u8.ToArray(), MeasurementStatus.Calibrating),
        ("early-estimate"u8.ToArray(), MeasurementStatus.EarlyEstimate),
        ("test-data"u8.ToArray(), MeasurementStatus.TestData),
        ("invalid"u8.ToArray(), MeasurementStatus.Invalid),
        ("not-available"u8.ToArray(), MeasurementStatus.NotAvailable),
    ];

    private static readonly string KnownStatusFlags = string.Join(", ", StatusFlags.Select(f => Encoding.UTF8.GetString(f.Name)));

    private enum Field
    {
        Unknown,
        Value,
        Unit,
        Time,
        Id,
        Site,
        Status,
        Systolic,
        Diastolic,
        Mean,
        Pulse,
    }

    // Indexed by Field, so that the paths of known fields are not built per message.
    private static readonly string[] Names = ["", "value", "unit", "time", "id", "site", "status", "systolic", "diastolic", "mean", "pulse"];
    private static readonly string[] Paths = Names.Select(n => "$." + n).ToArray();

    private static string Path(Field field) => Paths[(int)field];

    /// <summary>The values read so far; which keys were present is tracked in <see cref="Seen"/> to reject duplicates.</summary>
    private struct Fields
    {
        public int Seen;
        public decimal? Value, Systolic, Diastolic, Mean, Pulse;
        public string? Unit;
        public string? DeviceTime;
        public DateTimeOffset EffectiveTime;
        public TimeQuality TimeQuality;
        public string? Id;
        public string? Site;
        public MeasurementStatus Status;
    }

    /// <summary>
    /// Decodes one payload of <paramref name="kind"/> from <paramref name="deviceId"/> (already validated by the
    /// caller, e.g. from the topic). Never throws for any <paramref name="utf8Json"/>.
    /// </summary>
    public static bool TryDecode(string deviceId, VitalKind kind, ReadOnlySpan<byte> utf8Json, DecodeContext context,
        [NotNullWhen(true)] out Reading? reading, out DecodeError error)
    {
        reading = null;
        // RFC 8259 lets a parser ignore a byte order mark, and editors on Windows add one to files people publish.
        var start = utf8Json.StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        var json = utf8Json[start..];
        if (json.IsEmpty)
        {
            error = new("$", "payload is empty; expected a JSON object");
            return false;
        }
        // Checked up front because the reader only notices invalid UTF-8 when a string is transcoded, and then throws
        // InvalidOperationException rather than a JsonException with a position.
        if (!Utf8.IsValid(json))
        {
            error = new(ByteAt(start + FirstInvalidUtf8(json)), "payload is not valid UTF-8");
            return false;
        }

        var fields = new Fields();
        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            if (!TryReadObject(ref reader, kind, context, ref fields, out error))
            {
                return false;
            }
        }
        catch (JsonException e)
        {
            error = SyntaxError(json, start, e);
            return false;
        }
        return TryBuild(deviceId, kind, in fields, context, out reading, out error);
    }

    private static bool TryReadObject(ref Utf8JsonReader reader, VitalKind kind, DecodeContext context, ref Fields fields, out DecodeError error)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = new("$", $"expected a JSON object, got {Describe(ref reader)}");
            return false;
        }

        HashSet<string>? unknownKeys = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = Identify(ref reader, kind);
            if (field == Field.Unknown)
            {
                // Unknown keys are ignored so that newer publishers work with this gateway, but a repeated one still
                // makes the object ambiguous.
                var name = reader.GetString()!;
                if (!(unknownKeys ??= new(StringComparer.Ordinal)).Add(name))
                {
                    error = new(PathOf(name), $"duplicate key '{Echo(name)}'");
                    return false;
                }
                reader.Read();
                reader.Skip();
                continue;
            }

            var bit = 1 << (int)field;
            if ((fields.Seen & bit) != 0)
            {
                error = new(Path(field), $"duplicate key '{Names[(int)field]}'");
                return false;
            }
            fields.Seen |= bit;

            reader.Read();
            // null in an optional field means "not sent", which is how many JSON libraries write an empty property.
            if (reader.TokenType == JsonTokenType.Null && !IsRequired(field, kind))
            {
                continue;
            }
            if (!TryReadField(ref reader, field, kind, context, ref fields, out error))
            {
                return false;
            }
        }
        // The loop stopped at the object's end; one more read reports any content after it as malformed JSON.
        reader.Read();
        error = default;
        return true;
    }

    private static Field Identify(ref Utf8JsonReader reader, VitalKind kind)
    {
        // ValueTextEquals compares unescaped text, so "\u0076alue" is "value" too.
        if (reader.ValueTextEquals("unit"u8)) return Field.Unit;
        if (reader.ValueTextEquals("time"u8)) return Field.Time;
        if (reader.ValueTextEquals("id"u8)) return Field.Id;
        if (reader.ValueTextEquals("status"u8)) return Field.Status;
        if (kind == VitalKind.BloodPressure)
        {
            if (reader.ValueTextEquals("systolic"u8)) return Field.Systolic;
            if (reader.ValueTextEquals("diastolic"u8)) return Field.Diastolic;
            if (reader.ValueTextEquals("mean"u8)) return Field.Mean;
            if (reader.ValueTextEquals("pulse"u8)) return Field.Pulse;
            return Field.Unknown;
        }
        if (reader.ValueTextEquals("value"u8)) return Field.Value;
        // The contract defines a site for temperature only; elsewhere it is just an unknown key.
        if (kind == VitalKind.BodyTemperature && reader.ValueTextEquals("site"u8)) return Field.Site;
        return Field.Unknown;
    }

    private static bool IsRequired(Field field, VitalKind kind) => field switch
    {
        Field.Value or Field.Systolic or Field.Diastolic => true,
        Field.Unit => Units.Implied(kind) is null,
        _ => false,
    };

    private static bool TryReadField(ref Utf8JsonReader reader, Field field, VitalKind kind, DecodeContext context, ref Fields fields, out DecodeError error)
    {
        switch (field)
        {
            case Field.Value or Field.Systolic or Field.Diastolic or Field.Mean or Field.Pulse:
                if (!TryReadNumber(ref reader, field, out var number, out error)) return false;
                NumberOf(ref fields, field) = number;
                return true;
            case Field.Unit:
                return TryReadUnit(ref reader, kind, out fields.Unit, out error);
            case Field.Time:
                return TryReadTime(ref reader, context, ref fields, out error);
            case Field.Id:
                return TryReadId(ref reader, out fields.Id, out error);
            case Field.Site:
                return TryReadSite(ref reader, out fields.Site, out error);
            case Field.Status:
                return TryReadStatus(ref reader, out fields.Status, out error);
            default:
                throw new ArgumentOutOfRangeException(nameof(field), field, null);
        }
    }

    private static ref decimal? NumberOf(ref Fields fields, Field field)
    {
        switch (field)
        {
            case Field.Value: return ref fields.Value;
            case Field.Systolic: return ref fields.Systolic;
            case Field.Diastolic: return ref fields.Diastolic;
            case Field.Mean: return ref fields.Mean;
            case Field.Pulse: return ref fields.Pulse;
            default: throw new ArgumentOutOfRangeException(nameof(field), field, "not a number field");
        }
    }

    private static bool TryReadNumber(ref Utf8JsonReader reader, Field field, out decimal value, out DecodeError error)
    {
        value = 0m;
        if (reader.TokenType != JsonTokenType.Number)
        {
            error = new(Path(field), $"expected a number, got {Describe(ref reader)}");
            return false;
        }
        // decimal keeps the scale as written (37.60 stays 37.60), which FHIR passes on as the reading's precision.
        if (!reader.TryGetDecimal(out value))
        {
            error = new(Path(field), $"number {Echo(Encoding.UTF8.GetString(reader.ValueSpan))} is out of range");
            return false;
        }
        error = default;
        return true;
    }

    private static bool TryReadUnit(ref Utf8JsonReader reader, VitalKind kind, out string? ucum, out DecodeError error)
    {
        ucum = null;
        var path = Path(Field.Unit);
        if (reader.TokenType != JsonTokenType.String)
        {
            error = new(path, $"expected a unit string, got {Describe(ref reader)}");
            return false;
        }
        // Unescaped text is never longer in chars than its UTF-8 bytes, so the stack buffer always fits.
        if (reader.ValueSpan.Length <= MaxUnitLength)
        {
            Span<char> text = stackalloc char[MaxUnitLength];
            text = text[..reader.CopyString(text)];
            if (Units.TryNormalize(text, kind, out var code))
            {
                ucum = code;
                error = default;
                return true;
            }
        }
        var sent = Echo(reader.GetString()!);
        error = new(path, Units.TryNormalize(sent, out _)
            ? $"unit '{sent}' is not a unit of {kind.ToTopicName()} (expected {Units.Describe(kind)})"
            : $"unknown unit '{sent}' (expected {Units.Describe(kind)} for {kind.ToTopicName()})");
        return false;
    }

    private static bool TryReadTime(ref Utf8JsonReader reader, DecodeContext context, ref Fields fields, out DecodeError error)
    {
        var path = Path(Field.Time);
        if (reader.TokenType != JsonTokenType.String)
        {
            error = new(path, $"expected an ISO 8601 date-time string such as {TimeExample}, got {Describe(ref reader)}");
            return false;
        }
        if (reader.ValueSpan.Length > MaxTimeLength)
        {
            error = new(path, $"time '{Echo(reader.GetString()!)}' is not an ISO 8601 date-time such as {TimeExample}");
            return false;
        }
        var text = reader.GetString()!;
        switch (IsoDateTime.Parse(text, out var local, out var offset))
        {
            case IsoDateTime.Outcome.DateOnly:
                error = new(path, $"time '{text}' is a date without a time of day; expected an ISO 8601 date-time such as {TimeExample}");
                return false;
            case IsoDateTime.Outcome.Invalid:
                error = new(path, $"time '{Echo(text)}' is not an ISO 8601 date-time such as {TimeExample}");
                return false;
        }

        TimeQuality quality;
        if (offset is { } sent)
        {
            quality = TimeQuality.DeviceWithOffset;
        }
        else
        {
            var zone = context.LocalZone;
            // A wall-clock time skipped by a daylight-saving change never happened here: it cannot be placed on the
            // timeline, so it is rejected rather than guessed (fhir.md, "Time").
            if (zone.IsInvalidTime(local))
            {
                error = new(path, $"time '{text}' has no offset and does not exist in the gateway's time zone {zone.Id} (skipped by a daylight-saving change)");
                return false;
            }
            // An ambiguous time (the repeated hour in autumn) gets the zone's standard offset, as TimeZoneInfo does;
            // the reading is flagged as AssumedLocalZone either way.
            sent = zone.GetUtcOffset(local);
            quality = TimeQuality.AssumedLocalZone;
        }
        var utcTicks = local.Ticks - sent.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            error = new(path, $"time '{text}' is outside the range of representable times");
            return false;
        }
        fields.DeviceTime = text;
        fields.EffectiveTime = new DateTimeOffset(local, sent);
        fields.TimeQuality = quality;
        error = default;
        return true;
    }

    private static bool TryReadId(ref Utf8JsonReader reader, out string? id, out DecodeError error)
    {
        id = null;
        var path = Path(Field.Id);
        if (reader.TokenType == JsonTokenType.Number)
        {
            var raw = reader.ValueSpan;
            if (!IsInteger(raw))
            {
                error = new(path, $"expected a string or an integer, got {Describe(ref reader)}");
                return false;
            }
            if (raw.Length > MaxIdLength)
            {
                error = new(path, $"id is {raw.Length} characters long; the limit is {MaxIdLength}");
                return false;
            }
            // Kept as written (no leading-zero or sign normalisation): the id is part of the de-duplication identity.
            id = Encoding.UTF8.GetString(raw);
            error = default;
            return true;
        }
        if (reader.TokenType != JsonTokenType.String)
        {
            error = new(path, $"expected a string or an integer, got {Describe(ref reader)}");
            return false;
        }
        var text = reader.GetString()!;
        if (text.Length == 0)
        {
            error = new(path, "id is empty");
            return false;
        }
        if (text.Length > MaxIdLength)
        {
            error = new(path, $"id is {text.Length} characters long; the limit is {MaxIdLength}");
            return false;
        }
        // The id ends up in FHIR identifiers, logs and the CLI, where control characters do harm.
        if (text.AsSpan().ContainsAnyInRange('\0', '\u001f') || text.AsSpan().ContainsAnyInRange('\u007f', '\u009f'))
        {
            error = new(path, "id contains a control character");
            return false;
        }
        id = text;
        error = default;
        return true;
    }

    private static bool TryReadSite(ref Utf8JsonReader reader, out string? site, out DecodeError error)
    {
        site = null;
        var path = Path(Field.Site);
        if (reader.TokenType != JsonTokenType.String)
        {
            error = new(path, $"expected a body site name such as \"oral\", got {Describe(ref reader)}");
            return false;
        }
        var text = reader.GetString()!.ToLowerInvariant();
        if (!IsSiteName(text))
        {
            error = new(path, $"site '{Echo(text)}' is not a body site name (a letter, then up to {MaxSiteLength - 1} letters or hyphens)");
            return false;
        }
        site = text;
        error = default;
        return true;
    }

    private static bool TryReadStatus(ref Utf8JsonReader reader, out MeasurementStatus status, out DecodeError error)
    {
        status = MeasurementStatus.None;
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            error = new(Path(Field.Status), $"expected an array of status flags, got {Describe(ref reader)}");
            return false;
        }
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                error = new($"$.status[{index}]", $"expected a status flag string, got {Describe(ref reader)}");
                return false;
            }
            if (!TryStatusFlag(ref reader, out var flag))
            {
                error = new($"$.status[{index}]", $"unknown status flag '{Echo(reader.GetString()!)}' (known: {KnownStatusFlags})");
                return false;
            }
            status |= flag;
            index++;
        }
        error = default;
        return true;
    }

    private static bool TryStatusFlag(ref Utf8JsonReader reader, out MeasurementStatus flag)
    {
        foreach (var (name, value) in StatusFlags)
        {
            if (reader.ValueTextEquals(name))
            {
                flag = value;
                return true;
            }
        }
        flag = MeasurementStatus.None;
        return false;
    }

    private static bool TryBuild(string deviceId, VitalKind kind, in Fields fields, DecodeContext context,
        [NotNullWhen(true)] out Reading? reading, out DecodeError error)
    {
        reading = null;
        if (kind == VitalKind.BloodPressure)
        {
            if (fields.Systolic is null) return Missing(Field.Systolic, "", out error);
            if (fields.Diastolic is null) return Missing(Field.Diastolic, "", out error);
        }
        else if (fields.Value is null)
        {
            return Missing(Field.Value, "", out error);
        }
        if ((fields.Unit ?? Units.Implied(kind)) is not { } unit)
        {
            return Missing(Field.Unit, $" (expected {Units.Describe(kind)})", out error);
        }

        var sentTime = fields.DeviceTime is not null;
        var candidate = new Reading
        {
            DeviceId = deviceId,
            Kind = kind,
            EffectiveTime = sentTime ? fields.EffectiveTime : context.ReceivedAt,
            TimeQuality = sentTime ? fields.TimeQuality : TimeQuality.ReceiptTime,
            DeviceTime = fields.DeviceTime,
            MeasurementId = fields.Id,
            Value = Quantify(fields.Value, unit),
            Systolic = Quantify(fields.Systolic, unit),
            Diastolic = Quantify(fields.Diastolic, unit),
            MeanArterial = Quantify(fields.Mean, unit),
            // The unit key is for the pressures; a cuff's pulse rate is always per minute.
            Pulse = Quantify(fields.Pulse, Ucum.PerMinute),
            Site = fields.Site,
            Status = fields.Status,
        };
        if (!Plausibility.TryCheck(candidate, context, out var implausible))
        {
            error = new("$." + implausible.Where, implausible.Message);
            return false;
        }
        reading = candidate;
        error = default;
        return true;
    }

    private static Quantity? Quantify(decimal? value, string unit) => value is { } v ? new Quantity(v, unit) : null;

    private static bool Missing(Field field, string detail, out DecodeError error)
    {
        error = new(Path(field), "required field is missing" + detail);
        return false;
    }

    private static bool IsInteger(ReadOnlySpan<byte> number)
    {
        var digits = number.Length > 0 && number[0] == (byte)'-' ? number[1..] : number;
        return !digits.IsEmpty && !digits.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    private static bool IsSiteName(ReadOnlySpan<char> text)
    {
        // ^[a-z][a-z-]{0,31}$
        return text.Length is > 0 and <= MaxSiteLength
            && char.IsAsciiLetterLower(text[0])
            && !text[1..].ContainsAnyExcept(SiteChars);
    }

    private static readonly SearchValues<char> SiteChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyz-");

    /// <summary>"a string ("NaN")", "an object", ...: what the payload had where something else was expected.</summary>
    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => $"a string (\"{Echo(reader.GetString()!)}\")",
        JsonTokenType.Number => $"a number ({Echo(Encoding.UTF8.GetString(reader.ValueSpan))})",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        var other => other.ToString(),
    };

    private static string Echo(string text) => DeviceText.Echo(text, MaxEchoLength);

    private static string PathOf(string key)
    {
        var simple = key.Length > 0 && (char.IsAsciiLetter(key[0]) || key[0] == '_')
            && key.AsSpan().IndexOfAnyExcept(IdentifierChars) < 0;
        return simple && key.Length <= MaxEchoLength ? "$." + key : $"$['{Echo(key).Replace("'", "\\'")}']";
    }

    private static readonly SearchValues<char> IdentifierChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

    private static string ByteAt(long offset) => string.Create(CultureInfo.InvariantCulture, $"byte {offset}");

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
        return new(ByteAt(offset), "malformed JSON: " + DeviceText.Echo(cut >= 0 ? message[..cut] : message, MaxReaderMessageLength));
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
