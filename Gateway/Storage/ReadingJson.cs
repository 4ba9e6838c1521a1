using System.Text.Json;
using Vitals.Devices;

namespace Vitals.Gateway.Storage;

/// <summary>
/// The JSON a reading is stored as (<c>readings.reading_json</c>). Round-trips every field exactly: decimals keep their
/// scale (37.60 stays 37.60), date-times keep their offset. Data written by one version must stay readable by the
/// next, so fields are only ever added.
/// </summary>
public static class ReadingJson
{
    public static string Serialize(Reading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        return JsonSerializer.Serialize(reading, ReadingJsonContext.Default.Reading);
    }

    /// <summary>
    /// The property that names a stored reading's identity scheme. Readings stored before it existed have none: they
    /// read back as scheme 1 and keep the store key and FHIR identifier they were stored (or delivered) with.
    /// </summary>
    private const string SchemeProperty = "\"identityScheme\":";

    /// <exception cref="JsonException">The text is not a stored reading (a corrupt store: a bug, not device input).</exception>
    public static Reading Deserialize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var reading = JsonSerializer.Deserialize(json, ReadingJsonContext.Default.Reading)
            ?? throw new JsonException("the stored reading is JSON null");
        // Written by this serializer (no white space), and a quote inside a JSON string is escaped, so the property
        // name with its quotes and colon can only be the property itself.
        return json.Contains(SchemeProperty, StringComparison.Ordinal) ? reading : reading with { IdentityScheme = 1 };
    }
}
