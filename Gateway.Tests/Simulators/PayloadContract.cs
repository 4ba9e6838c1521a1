using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Vitals.Devices;

namespace Vitals.Gateway.Tests.Simulators;

/// <summary>
/// The MQTT contract of the README written out independently of the gateway's decoder (built in parallel), to check
/// that every good simulator payload is one the gateway must accept: topic, size, JSON shape, units and aliases,
/// plausible values after unit conversion, a time with an offset not in the future, an integer id.
/// </summary>
internal static partial class PayloadContract
{
    public const int MaxPayloadBytes = 16 * 1024;

    [GeneratedRegex("^vitals/([A-Za-z0-9._:-]{1,64})/([a-z-]+)$")]
    private static partial Regex TopicPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex TimeWithOffset();

    private static readonly Dictionary<VitalKind, Dictionary<string, Func<decimal, decimal>>> UnitsToCanonical = new()
    {
        [VitalKind.BodyTemperature] = new()
        {
            ["Cel"] = v => v, ["°C"] = v => v, ["C"] = v => v,
            ["[degF]"] = F, ["°F"] = F, ["F"] = F,
        },
        [VitalKind.BloodPressure] = new()
        {
            ["mm[Hg]"] = v => v, ["mmHg"] = v => v, ["kPa"] = v => v * Ucum.MillimetresMercuryPerKilopascal,
        },
        [VitalKind.BodyWeight] = new()
        {
            ["kg"] = v => v, ["g"] = v => v / 1000, ["[lb_av]"] = Lb, ["lb"] = Lb, ["lbs"] = Lb,
        },
        [VitalKind.RespiratoryRate] = new() { ["/min"] = v => v, ["breaths/min"] = v => v },
        [VitalKind.HeartRate] = new() { ["/min"] = v => v, ["bpm"] = v => v },
        [VitalKind.OxygenSaturation] = new() { ["%"] = v => v },
    };

    private static readonly HashSet<string> TemperatureSites = ["oral", "axillary", "tympanic", "rectal", "temporal", "forehead"];
    private static readonly HashSet<string> StatusFlags = ["body-movement", "irregular-pulse", "cuff-loose"];

    private static decimal F(decimal v) => (v - 32) * 5 / 9;

    private static decimal Lb(decimal v) => v * 0.45359237m;

    public static bool IsKnownUnit(VitalKind kind, string unit) => UnitsToCanonical[kind].ContainsKey(unit);

    /// <summary>Null when the message meets the contract, else what is wrong.</summary>
    public static string? Problem(string topic, byte[] payload, DateTimeOffset now)
    {
        var limits = PlausibilityLimits.Default;
        var match = TopicPattern().Match(topic);
        if (!match.Success)
        {
            return $"topic '{topic}' does not match vitals/{{deviceId}}/{{kind}}";
        }
        if (!VitalKindNames.TryParse(match.Groups[2].Value, out var kind))
        {
            return $"unknown kind '{match.Groups[2].Value}'";
        }
        if (payload.Length > MaxPayloadBytes)
        {
            return $"payload is {payload.Length} bytes";
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload);
        }
        catch (JsonException ex)
        {
            return $"not JSON: {ex.Message}";
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return "not a JSON object";
            }
            if (!root.TryGetProperty("unit", out var unitElement) || unitElement.GetString() is not { } unit || !IsKnownUnit(kind, unit))
            {
                return $"unit missing or not allowed for {kind}";
            }
            var toCanonical = UnitsToCanonical[kind][unit];
            if (!root.TryGetProperty("time", out var time) || time.GetString() is not { } timeText || !TimeWithOffset().IsMatch(timeText))
            {
                return "time missing or without an offset";
            }
            var when = DateTimeOffset.Parse(timeText, CultureInfo.InvariantCulture);
            if (when > now + limits.MaxFutureSkew)
            {
                return $"time {timeText} is in the future";
            }
            if (!root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.Number || !id.TryGetInt64(out _))
            {
                return "id missing or not an integer";
            }
            if (kind == VitalKind.BloodPressure)
            {
                if (Number(root, "systolic") is not { } systolic || Number(root, "diastolic") is not { } diastolic)
                {
                    return "systolic/diastolic missing or not numbers";
                }
                var s = toCanonical(systolic);
                var d = toCanonical(diastolic);
                if (s < limits.SystolicMin || s > limits.SystolicMax || d < limits.DiastolicMin || d > limits.DiastolicMax || s <= d)
                {
                    return $"implausible blood pressure {s}/{d}";
                }
                if (root.TryGetProperty("mean", out _) && Number(root, "mean") is not { } m)
                {
                    return "mean is not a number";
                }
                if (root.TryGetProperty("pulse", out _) && (Number(root, "pulse") is not { } pulse || pulse < limits.HeartRateMin || pulse > limits.HeartRateMax))
                {
                    return "pulse is not a plausible number";
                }
            }
            else
            {
                if (Number(root, "value") is not { } raw)
                {
                    return "value missing or not a number";
                }
                var v = toCanonical(raw);
                var (min, max) = kind switch
                {
                    VitalKind.BodyTemperature => (limits.TemperatureMinCel, limits.TemperatureMaxCel),
                    VitalKind.BodyWeight => (limits.WeightMinKg, limits.WeightMaxKg),
                    VitalKind.RespiratoryRate => (limits.RespiratoryRateMin, limits.RespiratoryRateMax),
                    VitalKind.HeartRate => (limits.HeartRateMin, limits.HeartRateMax),
                    _ => (limits.SpO2Min, limits.SpO2Max),
                };
                if (v < min || v > max)
                {
                    return $"implausible value {v}";
                }
            }
            if (root.TryGetProperty("site", out var site) && (kind != VitalKind.BodyTemperature || !TemperatureSites.Contains(site.GetString() ?? "")))
            {
                return $"unexpected site '{site}'";
            }
            if (root.TryGetProperty("status", out var status)
                && (status.ValueKind != JsonValueKind.Array || status.EnumerateArray().Any(f => !StatusFlags.Contains(f.GetString() ?? ""))))
            {
                return $"unexpected status {status}";
            }
        }
        return null;
    }

    private static decimal? Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.Number && element.TryGetDecimal(out var value)
            ? value
            : null;
}
