using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Vitals.Devices.Json;

/// <summary>The keys of the MQTT contract (README, "MQTT contract"); the numbers index the rules' tables.</summary>
internal enum JsonField
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
    Device,
}

/// <summary>
/// What each key of the MQTT contract may hold, and the values accepted so far: numbers, the unit of the kind, the
/// time (<see cref="JsonTime"/>), the device's measurement id, the body site and the status flags. The payload reader
/// hands values over in document order; each rule either keeps the value or says what is wrong with it, at its path.
/// </summary>
internal struct JsonFieldRules
{
    private const int MaxIdLength = 64;
    private const int MaxSiteLength = 32;
    // Unit texts are short; anything longer is not a unit and is only quoted.
    private const int MaxUnitLength = 32;

    // The status flags of the MQTT contract; a flag we do not understand could mean the value is invalid, so unknown
    // flags reject the message rather than being dropped.
    private static readonly (string Name, MeasurementStatus Flag)[] StatusFlags =
    [
        ("body-movement", MeasurementStatus.BodyMovement),
        ("cuff-loose", MeasurementStatus.CuffLoose),
        ("irregular-pulse", MeasurementStatus.IrregularPulse),
        ("pulse-out-of-range", MeasurementStatus.PulseRateOutOfRange),
        ("improper-position", MeasurementStatus.ImproperPosition),
        ("questionable", MeasurementStatus.Questionable),
        ("calibrating", MeasurementStatus.Calibrating),
        ("early-estimate", MeasurementStatus.EarlyEstimate),
        ("test-data", MeasurementStatus.TestData),
        ("invalid", MeasurementStatus.Invalid),
        ("not-available", MeasurementStatus.NotAvailable),
    ];

    private static readonly string KnownStatusFlags = string.Join(", ", StatusFlags.Select(f => f.Name));

    // Indexed by JsonField, so that the locations of known fields are not built per message.
    private static readonly string[] Names = ["", "value", "unit", "time", "id", "site", "status", "systolic", "diastolic", "mean", "pulse", "device"];
    private static readonly DecodeErrorLocation[] Locations = Names.Select(n => DecodeErrorLocation.JsonPath("$." + n)).ToArray();

    private static readonly SearchValues<char> SiteChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz-");

    public decimal? Value, Systolic, Diastolic, Mean, Pulse;
    public string? Unit;
    public PlacedTime? Time;
    public string? Id;
    public string? Site;
    public MeasurementStatus Status;
    public DeviceInformation? Device;

    public static string Name(JsonField field) => Names[(int)field];

    public static DecodeErrorLocation Location(JsonField field) => Locations[(int)field];

    /// <summary>The keys whose value is a number (its text is only needed when it is not a valid decimal).</summary>
    public static bool IsNumber(JsonField field) =>
        field is JsonField.Value or JsonField.Systolic or JsonField.Diastolic or JsonField.Mean or JsonField.Pulse;

    /// <summary>The required fields of <paramref name="kind"/>: its values, and the unit when the kind implies none.</summary>
    public static bool IsRequired(JsonField field, VitalKind kind) => field switch
    {
        JsonField.Value or JsonField.Systolic or JsonField.Diastolic => true,
        JsonField.Unit => Units.Implied(kind) is null,
        _ => false,
    };

    public bool TryAccept(JsonField field, in JsonToken token, VitalKind kind, DecodeContext context, out DecodeError error)
    {
        // null in an optional field means "not sent", which is how many JSON libraries write an empty property.
        if (token.Type == JsonTokenType.Null && !IsRequired(field, kind))
        {
            error = default;
            return true;
        }
        switch (field)
        {
            case JsonField.Value: return TryNumber(field, token, out Value, out error);
            case JsonField.Systolic: return TryNumber(field, token, out Systolic, out error);
            case JsonField.Diastolic: return TryNumber(field, token, out Diastolic, out error);
            case JsonField.Mean: return TryNumber(field, token, out Mean, out error);
            case JsonField.Pulse: return TryNumber(field, token, out Pulse, out error);
            case JsonField.Unit: return TryUnit(token, kind, out Unit, out error);
            case JsonField.Time:
                var ok = JsonTime.TryPlace(token, Location(field), context, out var time, out error);
                Time = ok ? time : null;
                return ok;
            case JsonField.Id: return TryId(token, out Id, out error);
            case JsonField.Site: return TrySite(token, out Site, out error);
            case JsonField.Status:
                error = token.Type == JsonTokenType.StartArray
                    ? default
                    : new(Location(field), $"expected an array of status flags, got {token.Describe()}");
                return token.Type == JsonTokenType.StartArray;
            default:
                throw new ArgumentOutOfRangeException(nameof(field), field, null);
        }
    }

    /// <summary>One element of the status array, at <paramref name="index"/>.</summary>
    public bool TryAcceptStatusFlag(int index, in JsonToken token, out DecodeError error)
    {
        if (token.Type != JsonTokenType.String)
        {
            error = new(DecodeErrorLocation.JsonPath($"$.status[{index}]"), $"expected a status flag string, got {token.Describe()}");
            return false;
        }
        foreach (var (name, flag) in StatusFlags)
        {
            if (string.Equals(token.Text, name, StringComparison.Ordinal))
            {
                Status |= flag;
                error = default;
                return true;
            }
        }
        error = new(DecodeErrorLocation.JsonPath($"$.status[{index}]"), $"unknown status flag '{JsonToken.Echo(token.Text!)}' (known: {KnownStatusFlags})");
        return false;
    }

    private static bool TryNumber(JsonField field, in JsonToken token, out decimal? value, out DecodeError error)
    {
        value = null;
        if (token.Type != JsonTokenType.Number)
        {
            error = new(Location(field), $"expected a number, got {token.Describe()}");
            return false;
        }
        if (token.Number is not { } number)
        {
            error = new(Location(field), $"number {JsonToken.Echo(token.Text!)} is out of range");
            return false;
        }
        value = number;
        error = default;
        return true;
    }

    private static bool TryUnit(in JsonToken token, VitalKind kind, out string? ucum, out DecodeError error)
    {
        ucum = null;
        var location = Location(JsonField.Unit);
        if (token.Type != JsonTokenType.String)
        {
            error = new(location, $"expected a unit string, got {token.Describe()}");
            return false;
        }
        if (token.Utf8Length <= MaxUnitLength && Units.TryNormalize(token.Text!, kind, out var code))
        {
            ucum = code;
            error = default;
            return true;
        }
        var sent = JsonToken.Echo(token.Text!);
        error = new(location, Units.TryNormalize(sent, out _)
            ? $"unit '{sent}' is not a unit of {kind.ToTopicName()} (expected {Units.Describe(kind)})"
            : $"unknown unit '{sent}' (expected {Units.Describe(kind)} for {kind.ToTopicName()})");
        return false;
    }

    private static bool TryId(in JsonToken token, out string? id, out DecodeError error)
    {
        id = null;
        var location = Location(JsonField.Id);
        if (token.Type == JsonTokenType.Number)
        {
            var raw = token.Text!;
            if (!IsInteger(raw))
            {
                error = new(location, $"expected a string or an integer, got {token.Describe()}");
                return false;
            }
            if (raw.Length > MaxIdLength)
            {
                error = new(location, $"id is {raw.Length} characters long; the limit is {MaxIdLength}");
                return false;
            }
            // Kept as written (no leading-zero or sign normalisation): the id is part of the de-duplication identity.
            id = raw;
            error = default;
            return true;
        }
        if (token.Type != JsonTokenType.String)
        {
            error = new(location, $"expected a string or an integer, got {token.Describe()}");
            return false;
        }
        var text = token.Text!;
        if (text.Length == 0)
        {
            error = new(location, "id is empty");
            return false;
        }
        if (text.Length > MaxIdLength)
        {
            error = new(location, $"id is {text.Length} characters long; the limit is {MaxIdLength}");
            return false;
        }
        // The id ends up in FHIR identifiers, logs and the CLI, where control characters do harm.
        if (text.AsSpan().ContainsAnyInRange('\0', '\u001f') || text.AsSpan().ContainsAnyInRange('\u007f', '\u009f'))
        {
            error = new(location, "id contains a control character");
            return false;
        }
        id = text;
        error = default;
        return true;
    }

    private static bool TrySite(in JsonToken token, out string? site, out DecodeError error)
    {
        site = null;
        var location = Location(JsonField.Site);
        if (token.Type != JsonTokenType.String)
        {
            error = new(location, $"expected a body site name such as \"oral\", got {token.Describe()}");
            return false;
        }
        var text = token.Text!.ToLowerInvariant();
        if (!IsSiteName(text))
        {
            error = new(location, $"site '{JsonToken.Echo(text)}' is not a body site name (a letter, then up to {MaxSiteLength - 1} letters or hyphens)");
            return false;
        }
        site = text;
        error = default;
        return true;
    }

    private static bool IsInteger(ReadOnlySpan<char> number)
    {
        var digits = number.Length > 0 && number[0] == '-' ? number[1..] : number;
        return !digits.IsEmpty && !digits.ContainsAnyExceptInRange('0', '9');
    }

    // ^[a-z][a-z-]{0,31}$
    private static bool IsSiteName(ReadOnlySpan<char> text) =>
        text.Length is > 0 and <= MaxSiteLength
        && char.IsAsciiLetterLower(text[0])
        && !text[1..].ContainsAnyExcept(SiteChars);
}
