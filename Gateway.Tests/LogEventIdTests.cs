using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests;

/// <summary>
/// Event ids are how an operator filters the log by stage (docs/logging.md): one id, one meaning, in its stage's range,
/// and listed on that page as the code declares it.
/// </summary>
public sealed partial class LogEventIdTests
{
    // docs/logging.md "Stages": the namespace each range belongs to.
    private static readonly (int From, int To, string[] Namespaces)[] Stages =
    [
        (1000, 1199, ["Vitals.Gateway.Ingest", "Vitals.Gateway.Ingest.Mqtt"]),
        (1200, 1299, ["Vitals.Gateway.Ingest.Ble"]),
        (2000, 2999, ["Vitals.Gateway.Fhir"]),
        (3000, 3999, ["Vitals.Gateway.Delivery"]),
        (4000, 4999, ["Vitals.Gateway.Cli", "Vitals.Gateway.Web"]),
        (5000, 5999, ["Vitals.Gateway.Storage"]),
    ];

    private static List<(MethodInfo Method, LoggerMessageAttribute Attribute)> Events() =>
        typeof(GatewayServices).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()!))
            .Where(e => e.Attribute is not null)
            .ToList();

    [Fact]
    public void Every_log_event_id_of_the_gateway_has_one_meaning()
    {
        var events = Events();
        Assert.True(events.Count > 50, $"only {events.Count} [LoggerMessage] methods found");

        var clashes = events.GroupBy(e => e.Attribute.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: " + string.Join(", ", g.Select(e => $"{e.Method.DeclaringType!.Name}.{e.Method.Name}")))
            .ToList();
        Assert.True(clashes.Count == 0, "event ids used twice: " + string.Join("; ", clashes));
    }

    [Fact]
    public void Every_event_id_lies_in_the_range_of_its_stage()
    {
        var misplaced = Events()
            .Where(e =>
            {
                var ns = e.Method.DeclaringType!.Namespace!;
                var stage = Stages.SingleOrDefault(s => e.Attribute.EventId >= s.From && e.Attribute.EventId <= s.To);
                // A stage owns its namespaces and their children ("...Ingest.Ble" owns "...Ingest.Ble.Session"), except
                // where a child has a stage of its own (Ble under Ingest).
                var owner = Stages.SelectMany(s => s.Namespaces.Select(n => (Stage: s, Namespace: n)))
                    .Where(x => ns == x.Namespace || ns.StartsWith(x.Namespace + ".", StringComparison.Ordinal))
                    .MaxBy(x => x.Namespace.Length);
                return stage.Namespaces is null || owner.Namespace is null || owner.Stage.From != stage.From;
            })
            .Select(e => $"{e.Attribute.EventId} {e.Method.DeclaringType!.FullName}.{e.Method.Name}")
            .ToList();

        Assert.True(misplaced.Count == 0, "event ids outside their stage's range (docs/logging.md): " + string.Join("; ", misplaced));
    }

    [Fact]
    public void Docs_logging_lists_every_event_as_the_code_declares_it()
    {
        var documented = EventRow().Matches(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "logging.md")))
            .Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value} {m.Groups[3].Value}")
            .Order(StringComparer.Ordinal)
            .ToList();
        var declared = Events()
            .Select(e => $"{e.Attribute.EventId} {e.Attribute.Level} {e.Method.Name}")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(declared, documented);
    }

    [GeneratedRegex(@"^\| (\d{4}) \| (\w+) \| `(\w+)` \|", RegexOptions.Multiline)]
    private static partial Regex EventRow();
}
