using System.Globalization;

namespace Vitals.Devices.Gatt;

/// <summary>
/// Reassembles GHS segments into whole records for ONE device and ONE characteristic (docs/devices.md: segments are
/// reassembled up to the one with "last" set). Pure and bounded: no I/O, no clock, at most <see cref="MaxRecordLength"/> bytes held. A segment that does
/// not follow its predecessor (rolling counter gap, a middle segment with no first, a first while a record is open)
/// discards the partial record and reports why; the next first segment starts afresh. Not thread-safe: one owner.
/// </summary>
public sealed class GhsSegmentAssembler
{
    private readonly byte[] _buffer;
    private int _length;
    private int _expectedCounter = -1;

    public GhsSegmentAssembler(int maxRecordLength = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecordLength, 16);
        _buffer = new byte[maxRecordLength];
        MaxRecordLength = maxRecordLength;
    }

    public int MaxRecordLength { get; }

    /// <summary>A record has been started and not finished.</summary>
    public bool HasPartialRecord => _expectedCounter >= 0;

    /// <summary>
    /// Feeds one notification. <see cref="GhsFeedResult.Record"/>: <paramref name="record"/> is the whole record
    /// (valid until the next call); <see cref="GhsFeedResult.NeedMore"/>: wait; <see cref="GhsFeedResult.Error"/>:
    /// <paramref name="error"/> says why (byte 0 is the segmentation header).
    /// </summary>
    public GhsFeedResult Feed(ReadOnlySpan<byte> notification, out ReadOnlySpan<byte> record, out DecodeError error)
    {
        record = default;
        if (!GhsSegment.TryParse(notification, out var segment, out error))
        {
            return GhsFeedResult.Error;
        }
        if (segment.First)
        {
            if (HasPartialRecord)
            {
                // The interrupted record is reported; the new first segment still starts its own record so that the
                // segments after it are not refused too. (A whole record arriving here is reported with the loss.)
                var expected = _expectedCounter;
                Reset();
                if (!segment.Last)
                {
                    Start(segment);
                }
                error = GattErrors.At(0, string.Create(CultureInfo.InvariantCulture,
                    $"a new first segment (counter {segment.Counter}) arrived while segment {expected} of the previous record was due; the partial record is discarded"));
                return GhsFeedResult.Error;
            }
            if (!Start(segment, out error))
            {
                return GhsFeedResult.Error;
            }
        }
        else
        {
            if (!HasPartialRecord)
            {
                error = GattErrors.At(0, string.Create(CultureInfo.InvariantCulture,
                    $"segment {segment.Counter} continues a record whose first segment was not received"));
                return GhsFeedResult.Error;
            }
            if (segment.Counter != _expectedCounter)
            {
                var expected = _expectedCounter;
                Reset();
                error = GattErrors.At(0, string.Create(CultureInfo.InvariantCulture,
                    $"segment counter {segment.Counter} where {expected} was due: a segment was lost; the partial record is discarded"));
                return GhsFeedResult.Error;
            }
            if (!Append(segment.Payload, out error))
            {
                return GhsFeedResult.Error;
            }
            _expectedCounter = (segment.Counter + 1) % GhsSegment.CounterModulus;
        }
        if (!segment.Last)
        {
            return GhsFeedResult.NeedMore;
        }
        record = _buffer.AsSpan(0, _length);
        _expectedCounter = -1;
        _length = 0;
        return GhsFeedResult.Record;
    }

    /// <summary>Drops any partial record (e.g. on disconnect: segments never continue across connections).</summary>
    public void Reset()
    {
        _length = 0;
        _expectedCounter = -1;
    }

    private bool Start(GhsSegment segment, out DecodeError error)
    {
        _length = 0;
        if (!Append(segment.Payload, out error))
        {
            return false;
        }
        _expectedCounter = (segment.Counter + 1) % GhsSegment.CounterModulus;
        return true;
    }

    // Used after a protocol error: the new first segment is kept so the record it starts can still complete.
    private void Start(GhsSegment segment)
    {
        if (!Start(segment, out _))
        {
            Reset();
        }
    }

    private bool Append(ReadOnlySpan<byte> payload, out DecodeError error)
    {
        if (_length + payload.Length > _buffer.Length)
        {
            var held = _length;
            Reset();
            error = GattErrors.At(1, string.Create(CultureInfo.InvariantCulture,
                $"the record grows beyond {_buffer.Length} bytes ({held} held, {payload.Length} more); the partial record is discarded"));
            return false;
        }
        payload.CopyTo(_buffer.AsSpan(_length));
        _length += payload.Length;
        error = default;
        return true;
    }
}
