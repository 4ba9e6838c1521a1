namespace Vitals.Devices.Gatt;

/// <summary>
/// Summarises a continuous Heart Rate Measurement 0x2A37 stream (about one notification a second, Heart Rate Service
/// 1.0) into at most one value per interval: the median of the interval's heart rates, as one 0x2A37 value the
/// decoders take like any other. The median, not the mean: a strap losing contact or a motion artefact produces
/// single wild values (0, 250 /min) that would drag a mean, and the median is a rate the sensor actually reported,
/// in whole beats per minute, without the false precision a mean's fraction would claim. Samples taken without skin
/// contact (contact supported, not detected) are left out while there are others; an interval with nothing else is
/// summarised from them and keeps "not detected", so the reading is flagged questionable.
/// Not thread-safe: one per device, fed by that device's single consumer.
/// </summary>
public sealed class HeartRateSummary(TimeSpan interval)
{
    private readonly List<ushort> _withContact = [];
    private readonly List<ushort> _withoutContact = [];
    private DateTimeOffset _start;
    private DateTimeOffset _last;

    public TimeSpan Interval { get; } = interval > TimeSpan.Zero ? interval : throw new ArgumentOutOfRangeException(nameof(interval));

    /// <summary>Samples waiting for their interval to end.</summary>
    public int Pending => _withContact.Count + _withoutContact.Count;

    /// <summary>
    /// Adds one notification received at <paramref name="at"/>. When it falls after the current interval, that
    /// interval's summary comes out (true), stamped with the time of its last sample, and this sample starts the next.
    /// </summary>
    public bool TryAdd(DateTimeOffset at, HeartRateMeasurement sample, out HeartRateMeasurement summary, out DateTimeOffset summaryAt)
    {
        var closed = Pending > 0 && at - _start >= Interval;
        summary = default;
        summaryAt = default;
        if (closed)
        {
            TryFlush(out summary, out summaryAt);
        }
        if (Pending == 0)
        {
            _start = at;
        }
        (sample.Contact == SensorContact.NotDetected ? _withoutContact : _withContact).Add(sample.HeartRate);
        _last = at;
        return closed;
    }

    /// <summary>The summary of whatever is pending (false when nothing is), and a fresh interval.</summary>
    public bool TryFlush(out HeartRateMeasurement summary, out DateTimeOffset summaryAt)
    {
        summary = default;
        summaryAt = _last;
        if (Pending == 0)
        {
            return false;
        }
        var contact = _withContact.Count > 0;
        var rates = contact ? _withContact : _withoutContact;
        rates.Sort();
        // The lower median: always a rate the sensor reported.
        var median = rates[(rates.Count - 1) / 2];
        summary = new HeartRateMeasurement(median, median > byte.MaxValue, contact ? SensorContact.Detected : SensorContact.NotDetected, null, false, []);
        _withContact.Clear();
        _withoutContact.Clear();
        return true;
    }
}
