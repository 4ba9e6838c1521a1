namespace Vitals.Devices.Tests;

/// <summary>The time rules the JSON and GATT decoders share (their wording is pinned by the vectors).</summary>
public sealed class TimePlacementTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Fact]
    public void A_local_time_takes_the_zone_offset_of_that_date()
    {
        Assert.Equal(TimePlacementFailure.None, TimePlacement.TryInZone(new DateTime(2026, 7, 1, 12, 0, 0), Berlin, TimeSpan.Zero, out var summer));
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.FromHours(2)), summer);
        Assert.Equal(TimeSpan.FromHours(2), summer.Offset);
        Assert.Equal(TimePlacementFailure.None, TimePlacement.TryInZone(new DateTime(2026, 11, 25, 8, 30, 0), Berlin, TimeSpan.Zero, out var winter));
        Assert.Equal(TimeSpan.FromHours(1), winter.Offset);
    }

    [Fact]
    public void A_time_skipped_by_daylight_saving_is_refused()
    {
        Assert.Equal(TimePlacementFailure.SkippedByDaylightSaving, TimePlacement.TryInZone(new DateTime(2026, 3, 29, 2, 30, 0), Berlin, TimeSpan.Zero, out _));
    }

    [Fact]
    public void An_ambiguous_time_gets_the_standard_offset()
    {
        Assert.Equal(TimePlacementFailure.None, TimePlacement.TryInZone(new DateTime(2026, 10, 25, 2, 30, 0), Berlin, TimeSpan.Zero, out var time));
        Assert.Equal(TimeSpan.FromHours(1), time.Offset);
    }

    [Fact]
    public void The_device_clock_offset_is_taken_off_before_the_zone_is_applied()
    {
        // The device runs 90 minutes fast: its 04:00 is 02:30, which the spring change skipped.
        Assert.Equal(TimePlacementFailure.SkippedByDaylightSaving,
            TimePlacement.TryInZone(new DateTime(2026, 3, 29, 4, 0, 0), Berlin, TimeSpan.FromMinutes(90), out _));
        Assert.Equal(TimePlacementFailure.None, TimePlacement.TryInZone(new DateTime(2026, 11, 25, 8, 35, 0), Berlin, TimeSpan.FromMinutes(5), out var time));
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 8, 30, 0, TimeSpan.FromHours(1)), time);
    }

    [Fact]
    public void Times_outside_the_representable_range_are_refused()
    {
        Assert.False(TimePlacement.TryWithOffset(DateTime.MaxValue, TimeSpan.FromHours(-14), out _));
        Assert.False(TimePlacement.TryWithOffset(DateTime.MinValue, TimeSpan.FromHours(14), out _));
        Assert.Equal(TimePlacementFailure.CorrectedOutOfRange, TimePlacement.TryInZone(DateTime.MinValue, Berlin, TimeSpan.FromHours(1), out _));
        Assert.Equal(TimePlacementFailure.OutOfRange, TimePlacement.TryInZone(DateTime.MaxValue, TimeZoneInfo.FindSystemTimeZoneById("America/New_York"), TimeSpan.Zero, out _));
    }

    [Fact]
    public void Receipt_time_is_flagged_as_such()
    {
        var context = DecodeContext.At(new DateTimeOffset(2026, 11, 25, 8, 30, 0, TimeSpan.Zero));
        Assert.Equal(new PlacedTime(context.ReceivedAt, TimeQuality.ReceiptTime, null), PlacedTime.Receipt(context));
    }
}
