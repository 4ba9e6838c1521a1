using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Tests;

/// <summary>
/// Event ids are how an operator filters the log by stage (ingest 1000s, FHIR 2000s, delivery 3000s, storage 5000s):
/// one id, one meaning, across the whole gateway.
/// </summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void Every_log_event_id_of_the_gateway_has_one_meaning()
    {
        var events = typeof(GatewayServices).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(e => e.Attribute is not null)
            .ToList();
        Assert.True(events.Count > 50, $"only {events.Count} [LoggerMessage] methods found");

        var clashes = events.GroupBy(e => e.Attribute!.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: " + string.Join(", ", g.Select(e => $"{e.Method.DeclaringType!.Name}.{e.Method.Name}")))
            .ToList();
        Assert.True(clashes.Count == 0, "event ids used twice: " + string.Join("; ", clashes));
        Assert.All(events, e => Assert.InRange(e.Attribute!.EventId, 1000, 5999));
    }
}
