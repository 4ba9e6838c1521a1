using System.Globalization;

namespace Vitals.Simulators.DeviceSimulator;

/// <summary>
/// The second stage of a load run, committed -> EHR acknowledged, per reading: from the moment the device got its
/// PUBACK (the gateway sends it only after the commit) to the <c>delivered_at</c> the gateway's store records when the
/// EHR answered 2xx. Both are wall-clock times on the same machine. Readings are matched by device id and the
/// payload's <c>id</c>, which the store keeps in the reading's identity key (<c>device|kind|time|id</c>).
/// </summary>
public static class CommittedToEhr
{
    /// <summary>The match key of a reading the simulator sent.</summary>
    public static string Key(string deviceId, long sequence) => deviceId + "|" + sequence.ToString(CultureInfo.InvariantCulture);

    /// <summary>The match key of a stored reading's identity key; null when it has no measurement id.</summary>
    public static string? KeyOfIdentity(string identityKey)
    {
        var parts = identityKey.Split('|');
        return parts.Length >= 4 && parts[3].Length > 0 ? parts[0] + "|" + parts[3] : null;
    }

    /// <summary>
    /// Latencies of the delivered readings this run committed; <c>Undelivered</c> counts committed readings the store
    /// has not (yet) delivered. Readings of other runs in the same store are ignored.
    /// </summary>
    public static (LatencySummary Latency, long Undelivered) Measure(
        IReadOnlyDictionary<string, DateTimeOffset> committed, IEnumerable<(string IdentityKey, DateTimeOffset DeliveredAt)> delivered)
    {
        var recorder = new LatencyRecorder();
        foreach (var (identity, deliveredAt) in delivered)
        {
            if (KeyOfIdentity(identity) is { } key && committed.TryGetValue(key, out var committedAt))
                recorder.Record(deliveredAt - committedAt);
        }
        return (recorder.Summarise(), committed.Count - recorder.Count);
    }
}
