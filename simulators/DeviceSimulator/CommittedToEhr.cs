using System.Globalization;

namespace Vitals.Simulators.DeviceSimulator;

/// <summary>
/// The second stage of a load run, committed -> EHR acknowledged, per reading: from the moment the device got its
/// PUBACK (the gateway sends it only after the commit) to the <c>delivered_at</c> the gateway's store records when the
/// EHR answered 2xx. Both are wall-clock times on the same machine. Readings are matched by device id and the
/// payload's <c>id</c>, which the store keeps in the reading's identity key (<see cref="KeyOfIdentity"/>).
/// </summary>
public static class CommittedToEhr
{
    /// <summary>The match key of a reading the simulator sent.</summary>
    public static string Key(string deviceId, long sequence) => deviceId + "|" + sequence.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The match key of a stored reading's identity key; null when it has no measurement id. Both of the gateway's
    /// schemes (<c>ReadingIdentity</c> in Devices): 2, <c>v2|device|kind|values|time|id:ID</c> with <c>\</c> escaping
    /// <c>| ; = \</c> and space in its parts, and 1 (readings stored before it), <c>device|kind|time|id[|user:N]</c>.
    /// </summary>
    public static string? KeyOfIdentity(string identityKey)
    {
        var parts = SplitUnescaped(identityKey);
        if (parts[0] == "v2")
            return parts.Count >= 4 && parts[^1].StartsWith("id:", StringComparison.Ordinal) ? parts[1] + "|" + parts[^1][3..] : null;
        return parts.Count >= 4 && parts[3].Length > 0 ? parts[0] + "|" + parts[3] : null;
    }

    private static List<string> SplitUnescaped(string key)
    {
        var parts = new List<string>();
        var part = new System.Text.StringBuilder();
        for (var i = 0; i < key.Length; i++)
        {
            if (key[i] == '\\' && i + 1 < key.Length)
                part.Append(key[++i]);
            else if (key[i] == '|')
            {
                parts.Add(part.ToString());
                part.Clear();
            }
            else
                part.Append(key[i]);
        }
        parts.Add(part.ToString());
        return parts;
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
