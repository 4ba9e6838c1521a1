using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>One sample of a Prometheus text exposition: metric name, labels, value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A strict parser of the Prometheus text exposition format 0.0.4 ("Exposition formats", Prometheus documentation):
/// every line is a comment (# HELP, # TYPE, other), blank, or a sample <c>name{label="value",...} value [timestamp]</c>
/// with valid names, escapes and floats; TYPE comes once per family before its samples; histograms have
/// cumulative buckets ending in le="+Inf" equal to their _count. Anything else throws <see cref="FormatException"/>
/// naming the line.
/// </summary>
public static partial class PrometheusText
{
    private static readonly HashSet<string> Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public static IReadOnlyList<PrometheusSample> Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var seenSamples = new HashSet<string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        if (lines[^1].Length != 0) throw new FormatException("the exposition does not end with a line feed");
        for (var n = 0; n < lines.Length - 1; n++)
        {
            var line = lines[n];
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 3 && parts[1] is "HELP" or "TYPE")
                {
                    if (!MetricName().IsMatch(parts[2])) throw Bad(n, line, "invalid metric name in " + parts[1]);
                    if (parts[1] == "TYPE")
                    {
                        if (parts.Length != 4 || !Types.Contains(parts[3])) throw Bad(n, line, "TYPE needs one of " + string.Join(", ", Types));
                        if (!types.TryAdd(parts[2], parts[3])) throw Bad(n, line, "a second TYPE for " + parts[2]);
                        if (seenSamples.Contains(parts[2])) throw Bad(n, line, "TYPE after samples of " + parts[2]);
                    }
                }
                continue;
            }
            var sample = ParseSample(n, line);
            var family = Family(sample.Name, types);
            seenSamples.Add(family);
            samples.Add(sample);
        }
        CheckHistograms(samples, types);
        return samples;
    }

    /// <summary>The one sample of <paramref name="name"/> whose labels include <paramref name="labels"/>; 0 when the family has none yet.</summary>
    public static double Value(IReadOnlyList<PrometheusSample> samples, string name, params (string Key, string Value)[] labels)
    {
        var matching = samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToList();
        return matching.Count switch
        {
            0 => 0,
            1 => matching[0].Value,
            _ => throw new InvalidOperationException($"{matching.Count} samples of {name} match"),
        };
    }

    private static PrometheusSample ParseSample(int n, string line)
    {
        var i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ') i++;
        var name = line[..i];
        if (!MetricName().IsMatch(name)) throw Bad(n, line, "invalid metric name");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var start = i;
                while (i < line.Length && line[i] != '=') i++;
                var label = line[start..i];
                if (!LabelName().IsMatch(label)) throw Bad(n, line, $"invalid label name '{label}'");
                if (i + 1 >= line.Length || line[i + 1] != '"') throw Bad(n, line, "label value must be quoted");
                i += 2;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length) throw Bad(n, line, "unterminated label value");
                    var c = line[i++];
                    if (c == '"') break;
                    if (c == '\\')
                    {
                        if (i >= line.Length) throw Bad(n, line, "dangling escape");
                        value.Append(line[i++] switch { '\\' => '\\', '"' => '"', 'n' => '\n', var e => throw Bad(n, line, $"invalid escape \\{e}") });
                    }
                    else value.Append(c);
                }
                if (!labels.TryAdd(label, value.ToString())) throw Bad(n, line, $"label {label} twice");
                if (i < line.Length && line[i] == ',') i++;
                else if (i >= line.Length || line[i] != '}') throw Bad(n, line, "expected , or }");
            }
            i++;
        }
        if (i >= line.Length || line[i] != ' ') throw Bad(n, line, "expected a space before the value");
        var rest = line[(i + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2) throw Bad(n, line, "expected a value and an optional timestamp");
        var number = rest[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var t when double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => throw Bad(n, line, $"invalid value '{rest[0]}'"),
        };
        if (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            throw Bad(n, line, "invalid timestamp");
        return new PrometheusSample(name, labels, number);
    }

    private static string Family(string sample, Dictionary<string, string> types)
    {
        if (types.ContainsKey(sample)) return sample;
        foreach (var suffix in (ReadOnlySpan<string>)["_bucket", "_count", "_sum", "_total", "_created"])
            if (sample.EndsWith(suffix, StringComparison.Ordinal) && types.ContainsKey(sample[..^suffix.Length]))
                return sample[..^suffix.Length];
        return sample;
    }

    private static void CheckHistograms(List<PrometheusSample> samples, Dictionary<string, string> types)
    {
        foreach (var (family, _) in types.Where(t => t.Value == "histogram"))
        {
            foreach (var series in samples.Where(s => s.Name == family + "_bucket")
                .GroupBy(s => string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value))))
            {
                var buckets = series.Select(s => (Le: s.Labels["le"] == "+Inf" ? double.PositiveInfinity : double.Parse(s.Labels["le"], CultureInfo.InvariantCulture), s.Value)).ToList();
                for (var i = 1; i < buckets.Count; i++)
                    if (buckets[i].Le <= buckets[i - 1].Le || buckets[i].Value < buckets[i - 1].Value)
                        throw new FormatException($"{family}: buckets not increasing and cumulative at le={buckets[i].Le}");
                if (!double.IsPositiveInfinity(buckets[^1].Le)) throw new FormatException($"{family}: no le=\"+Inf\" bucket");
                var count = samples.Where(s => s.Name == family + "_count").Select(s => s.Value).ToList();
                if (!count.Contains(buckets[^1].Value)) throw new FormatException($"{family}: +Inf bucket {buckets[^1].Value} is not its _count");
            }
        }
    }

    private static FormatException Bad(int n, string line, string why) => new($"line {n + 1}: {why}: {line}");

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();
}
