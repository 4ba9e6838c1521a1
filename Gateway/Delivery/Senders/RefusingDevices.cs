using System.Collections.Concurrent;

namespace Vitals.Gateway.Delivery.Senders;

/// <summary>
/// Devices whose latest reading the EHR refused on its merits (a 4xx for that reading alone): their next readings are
/// sent one per transaction, after the other readings. A transaction is all or nothing (FHIR R4 RESTful API
/// 3.1.0.11.2), so one refused reading fails every reading it shares a Bundle with, and finding it again costs a split
/// of log2(Bundle size) requests. A device that is refused once is often refused again (a device the EHR does not
/// know, a unit it does not accept); sending its readings alone costs one request each and keeps the other Bundles
/// whole. A device leaves the set when one of its readings is delivered. Only the grouping changes, never an outcome,
/// and each device's readings keep their order.
/// </summary>
internal sealed class RefusingDevices
{
    // Bounded: a device id is at most a few dozen bytes, and the set is a hint that may be forgotten.
    private const int Capacity = 10_000;
    private readonly ConcurrentDictionary<string, byte> _devices = new(StringComparer.Ordinal);

    public void Refused(OutgoingReading reading)
    {
        if (_devices.Count >= Capacity)
            _devices.Clear();
        _devices[reading.Entry.Reading.DeviceId] = 0;
    }

    public void Delivered(OutgoingReading reading)
    {
        if (!_devices.IsEmpty)
            _devices.TryRemove(reading.Entry.Reading.DeviceId, out _);
    }

    /// <summary>
    /// The readings with those of refusing devices moved to the end (a stable partition: each device's readings stay in
    /// order), the position of the first of them (<c>Count</c> when there is none) and, for each new position, the
    /// reading's old one.
    /// </summary>
    public (IReadOnlyList<OutgoingReading> Ordered, int FirstRefusing, int[] From) OthersFirst(IReadOnlyList<OutgoingReading> readings)
    {
        var from = new int[readings.Count];
        if (_devices.IsEmpty || !readings.Any(r => _devices.ContainsKey(r.Entry.Reading.DeviceId)))
        {
            for (var i = 0; i < from.Length; i++)
                from[i] = i;
            return (readings, readings.Count, from);
        }
        var ordered = new List<OutgoingReading>(readings.Count);
        var refusing = new List<int>();
        for (var i = 0; i < readings.Count; i++)
        {
            if (_devices.ContainsKey(readings[i].Entry.Reading.DeviceId))
            {
                refusing.Add(i);
                continue;
            }
            from[ordered.Count] = i;
            ordered.Add(readings[i]);
        }
        var first = ordered.Count;
        foreach (var i in refusing)
        {
            from[ordered.Count] = i;
            ordered.Add(readings[i]);
        }
        return (ordered, first, from);
    }
}
