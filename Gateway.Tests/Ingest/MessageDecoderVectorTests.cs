using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Vitals.Devices;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Ingest;

namespace Vitals.Gateway.Tests.Ingest;

/// <summary>Runs TestData/Json/vectors.json (its "comment" describes the format) through <see cref="MessageDecoder"/>.</summary>
public sealed class MessageDecoderVectorTests
{
    private const string DefaultDeviceId = "dev-1";

    private static readonly Lazy<JsonElement> Vectors = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestData", "Json", "vectors.json"))).RootElement);

    private static JsonElement Defaults => Vectors.Value.GetProperty("defaults");

    private static IEnumerable<JsonElement> AllCases => Vectors.Value.GetProperty("cases").EnumerateArray();

    public static TheoryData<string> CaseNames()
    {
        var names = new TheoryData<string>();
        foreach (var c in AllCases)
        {
            names.Add(c.GetProperty("name").GetString()!);
        }
        return names;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Vector(string name)
    {
        var vector = AllCases.Single(c => c.GetProperty("name").GetString() == name);
        // Decoding alone: whether invalid or test data may be delivered is ReadingAdmission's (PhdStatusRulesTests).
        var admitAll = new ReadingAdmission(Options.Create(new FhirOptions { UploadInvalid = true }), Options.Create(new TestDataOptions { DeliverTestData = true }));
        var decoder = new MessageDecoder(Options.Create(BindOptions(vector)), admitAll);
        var receivedAt = DateTimeOffset.Parse(String(vector, "receivedAt") ?? Defaults.GetProperty("receivedAt").GetString()!);
        var decoded = decoder.TryDecodePublish(Topic(vector), Payload(vector), receivedAt, out var reading, out var error);

        if (vector.TryGetProperty("expectError", out var expectError))
        {
            Assert.False(decoded, $"decoded to {reading}");
            Assert.Null(reading);
            Assert.Equal(expectError.GetProperty("where").GetString(), error.Where);
            Assert.Contains(expectError.GetProperty("message").GetString()!, error.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.True(decoded, error.ToString());
            AssertReading(vector, vector.GetProperty("expect"), reading!, receivedAt);
        }
    }

    [Fact]
    public void Every_unit_text_and_status_flag_is_accepted_by_some_vector()
    {
        var accepted = AllCases
            .Where(c => c.TryGetProperty("expect", out _) && c.TryGetProperty("json", out _))
            .Select(c => c.GetProperty("json"))
            .ToList();
        var units = accepted.Where(j => j.TryGetProperty("unit", out var u) && u.ValueKind == JsonValueKind.String)
            .Select(j => j.GetProperty("unit").GetString()).ToHashSet(StringComparer.Ordinal);
        var flags = accepted.Where(j => j.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Array)
            .SelectMany(j => j.GetProperty("status").EnumerateArray().Select(f => f.GetString())).ToHashSet(StringComparer.Ordinal);

        var untested = Units.Aliases.Select(a => a.Text).Except(units, StringComparer.Ordinal).ToList();
        Assert.True(untested.Count == 0, "no accepted vector uses unit " + string.Join(", ", untested));
        // Every flag but None and the two only a PLX oximeter reports (measurement ongoing, device and sensor status).
        Assert.Equal(Enum.GetValues<MeasurementStatus>().Length - 3, flags.Count);
    }

    private static IngestOptions BindOptions(JsonElement vector)
    {
        var settings = new Dictionary<string, string?>();
        foreach (var source in new[] { Defaults, vector })
        {
            if (source.TryGetProperty("config", out var config))
            {
                foreach (var setting in config.EnumerateObject())
                {
                    settings[setting.Name] = setting.Value.GetString();
                }
            }
        }
        var options = new IngestOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(IngestOptions.SectionName).Bind(options);
        var validation = new IngestOptionsValidator().Validate(null, options);
        Assert.True(validation.Succeeded, validation.FailureMessage);
        return options;
    }

    private static string Topic(JsonElement vector) =>
        String(vector, "topic") ?? $"vitals/{DefaultDeviceId}/{vector.GetProperty("kind").GetString()}";

    private static byte[] Payload(JsonElement vector)
    {
        byte[] payload;
        if (vector.TryGetProperty("json", out var json))
        {
            // The raw text of the element: numbers, escapes and duplicate keys exactly as the file has them.
            payload = Encoding.UTF8.GetBytes(json.GetRawText());
        }
        else if (vector.TryGetProperty("text", out var text))
        {
            payload = Encoding.UTF8.GetBytes(text.GetString()!);
        }
        else
        {
            payload = Convert.FromHexString(vector.GetProperty("hex").GetString()!);
        }
        if (vector.TryGetProperty("padTo", out var padTo))
        {
            var padded = new byte[padTo.GetInt32()];
            Array.Fill(padded, (byte)' ');
            payload.CopyTo(padded, 0);
            payload = padded;
        }
        return payload;
    }

    private static void AssertReading(JsonElement vector, JsonElement expect, Reading reading, DateTimeOffset receivedAt)
    {
        Assert.Equal(String(expect, "deviceId") ?? DefaultDeviceId, reading.DeviceId);
        Assert.True(VitalKindNames.TryParse(vector.GetProperty("kind").GetString(), out var kind));
        Assert.Equal(kind, reading.Kind);

        Assert.Equal(String(expect, "value"), reading.Value?.ToString());
        Assert.Equal(String(expect, "systolic"), reading.Systolic?.ToString());
        Assert.Equal(String(expect, "diastolic"), reading.Diastolic?.ToString());
        Assert.Equal(String(expect, "mean"), reading.MeanArterial?.ToString());
        Assert.Equal(String(expect, "pulse"), reading.Pulse?.ToString());

        if (String(expect, "timeQuality") is { } quality)
        {
            var effective = DateTimeOffset.Parse(String(expect, "effectiveTime")!);
            Assert.Equal(Enum.Parse<TimeQuality>(quality), reading.TimeQuality);
            Assert.Equal(effective, reading.EffectiveTime);
            Assert.Equal(effective.Offset, reading.EffectiveTime.Offset);
            Assert.Equal(String(expect, "deviceTime"), reading.DeviceTime);
        }
        else
        {
            Assert.Equal(TimeQuality.ReceiptTime, reading.TimeQuality);
            Assert.Equal(receivedAt, reading.EffectiveTime);
            Assert.Null(reading.DeviceTime);
        }

        Assert.Equal(String(expect, "measurementId"), reading.MeasurementId);
        Assert.Equal(String(expect, "site"), reading.Site);
        Assert.Equal(String(expect, "status") is { } status ? Enum.Parse<MeasurementStatus>(status) : MeasurementStatus.None, reading.Status);
    }

    private static string? String(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? value.GetString() : null;
}
