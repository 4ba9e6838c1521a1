using Vitals.Devices.Gatt;

namespace Vitals.Devices.Tests.Gatt;

public sealed class GhsSegmentAssemblerTests
{
    // A respiratory-rate record (TestData/Gatt/vectors.json "2B8B respiratory rate") without its segmentation byte.
    private static readonly byte[] Record = Convert.FromHexString("0111000100" + "0A500200" + "E00A0400" + "10000000");

    [Fact]
    public void Three_segments_reassemble_into_the_record_that_parses()
    {
        var assembler = new GhsSegmentAssembler();

        Assert.Equal(GhsFeedResult.NeedMore, assembler.Feed([.. new byte[] { 0x01 | 5 << 2 }, .. Record[..6]], out _, out _));
        Assert.Equal(GhsFeedResult.NeedMore, assembler.Feed([.. new byte[] { 6 << 2 }, .. Record[6..12]], out _, out _));
        var result = assembler.Feed([.. new byte[] { 0x02 | 7 << 2 }, .. Record[12..]], out var record, out var error);

        Assert.Equal(GhsFeedResult.Record, result);
        Assert.Equal(Record, record.ToArray());
        Assert.True(GhsObservation.TryParse(record, out var observation, out error), error.ToString());
        Assert.Equal(GhsNomenclature.MdcRespRate, observation.Type);
        Assert.Equal(16m, observation.Value.Value);
        Assert.False(assembler.HasPartialRecord);
    }

    [Fact]
    public void The_counter_rolls_over_from_63_to_0()
    {
        var assembler = new GhsSegmentAssembler();
        Assert.Equal(GhsFeedResult.NeedMore, assembler.Feed([.. new byte[] { 0x01 | 63 << 2 }, .. Record[..9]], out _, out _));
        Assert.Equal(GhsFeedResult.Record, assembler.Feed([.. new byte[] { 0x02 }, .. Record[9..]], out var record, out _));
        Assert.Equal(Record, record.ToArray());
    }

    [Fact]
    public void A_gap_in_the_rolling_counter_discards_the_partial_record_with_a_reason()
    {
        var assembler = new GhsSegmentAssembler();
        assembler.Feed([.. new byte[] { 0x01 | 1 << 2 }, .. Record[..6]], out _, out _);

        var result = assembler.Feed([.. new byte[] { 0x02 | 3 << 2 }, .. Record[6..]], out _, out var error);

        Assert.Equal(GhsFeedResult.Error, result);
        Assert.Equal("byte 0", error.Where);
        Assert.Contains("segment counter 3 where 2 was due", error.Message, StringComparison.Ordinal);
        Assert.False(assembler.HasPartialRecord);
    }

    [Fact]
    public void A_continuation_without_a_first_segment_is_refused()
    {
        var assembler = new GhsSegmentAssembler();
        Assert.Equal(GhsFeedResult.Error, assembler.Feed([0x02 | 4 << 2, 1, 2], out _, out var error));
        Assert.Contains("first segment was not received", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_first_segment_reports_the_interrupted_record_and_starts_over()
    {
        var assembler = new GhsSegmentAssembler();
        assembler.Feed([.. new byte[] { 0x01 }, .. Record[..6]], out _, out _);

        Assert.Equal(GhsFeedResult.Error, assembler.Feed([.. new byte[] { 0x01 | 9 << 2 }, .. Record[..6]], out _, out var error));
        Assert.Contains("partial record is discarded", error.Message, StringComparison.Ordinal);
        Assert.Equal(GhsFeedResult.Record, assembler.Feed([.. new byte[] { 0x02 | 10 << 2 }, .. Record[6..]], out var record, out _));
        Assert.Equal(Record, record.ToArray());
    }

    [Fact]
    public void A_record_larger_than_the_bound_is_discarded()
    {
        var assembler = new GhsSegmentAssembler(maxRecordLength: 16);
        Assert.Equal(GhsFeedResult.NeedMore, assembler.Feed([0x01, .. new byte[10]], out _, out _));
        Assert.Equal(GhsFeedResult.Error, assembler.Feed([1 << 2, .. new byte[10]], out _, out var error));
        Assert.Contains("beyond 16 bytes", error.Message, StringComparison.Ordinal);
        Assert.False(assembler.HasPartialRecord);
    }

    [Fact]
    public void A_whole_record_in_one_segment_passes_straight_through()
    {
        var assembler = new GhsSegmentAssembler();
        Assert.Equal(GhsFeedResult.Record, assembler.Feed([0x03, .. Record], out var record, out _));
        Assert.Equal(Record, record.ToArray());
    }
}
