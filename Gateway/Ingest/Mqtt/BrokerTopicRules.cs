namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>
/// Who may publish and subscribe where on the embedded broker (README "MQTT contract"). Pure: the broker asks, these
/// answer. Readings are never relayed to devices: the gateway itself is their consumer.
/// </summary>
internal static class BrokerTopicRules
{
    private const string Prefix = "vitals/";

    /// <summary>
    /// May <paramref name="who"/> publish on the vitals topic <paramref name="topic"/>? A device only under its own id:
    /// <c>vitals/{its id}/...</c>. Without credentials nobody is identified, so nothing device-specific can be checked.
    /// </summary>
    public static bool MayPublishReading(BrokerPrincipal who, string topic) => who.Role switch
    {
        BrokerRole.Device => ClaimedDevice(topic).SequenceEqual(who.Name),
        _ => true,
    };

    /// <summary>The device a vitals topic names: its second level (may be empty or malformed; quote it escaped).</summary>
    public static ReadOnlySpan<char> ClaimedDevice(string topic)
    {
        var rest = topic.AsSpan(Prefix.Length);
        var slash = rest.IndexOf('/');
        return slash < 0 ? rest : rest[..slash];
    }

    /// <summary>
    /// True when <paramref name="filter"/> could match a vitals topic: its first level is <c>vitals</c>, <c>+</c> or
    /// <c>#</c> (MQTT 3.1.1 §4.7.1, MQTT 5.0 §4.7.1 wildcards; §4.7.2: wildcards at the first level skip only topics that
    /// begin with '$', which vitals topics do not).
    /// </summary>
    public static bool MayMatchReadings(string filter)
    {
        var slash = filter.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? filter.AsSpan() : filter.AsSpan(0, slash);
        return first is "vitals" or "+" or "#";
    }

    /// <summary>May <paramref name="who"/> subscribe to <paramref name="filter"/>?</summary>
    public static bool MaySubscribe(BrokerPrincipal who, string filter, bool relayToOperators, bool passThrough) =>
        MayMatchReadings(filter)
            ? who.Role == BrokerRole.Operator && relayToOperators
            : passThrough;
}
