using Vitals.Devices.Gatt;

namespace Vitals.Devices.Tests.Gatt;

public sealed class CurrentTimeTests
{
    [Fact]
    public void Parses_exact_time_256_with_fractions_and_adjust_reason()
    {
        // 2026-11-25 08:30:15 Wednesday, 128/256 s, external reference update.
        byte[] bytes = [0xEA, 0x07, 11, 25, 8, 30, 15, 3, 0x80, 0x02];
        Assert.True(CurrentTime.TryParse(bytes, out var value, out _));
        Assert.Equal(3, value.DayOfWeek);
        Assert.Equal(CurrentTime.ExternalReferenceTimeUpdate, value.AdjustReason);
        Assert.True(value.TryGetDateTime(out var time));
        Assert.Equal(new DateTime(2026, 11, 25, 8, 30, 15, 500), time);
    }

    [Theory]
    [InlineData(new byte[] { 0xEA, 0x07, 11, 25, 8, 30, 15, 3, 0 }, "byte 0", "truncated")]
    [InlineData(new byte[] { 0xEA, 0x07, 11, 25, 8, 30, 15, 8, 0, 0 }, "byte 7", "day of week 8")]
    [InlineData(new byte[] { 0xEA, 0x07, 13, 25, 8, 30, 15, 3, 0, 0 }, "byte 2", "month 13")]
    [InlineData(new byte[] { 0xEA, 0x07, 11, 25, 8, 30, 15, 3, 0, 0, 0 }, "byte 10", "unexpected")]
    public void Refuses_bad_values_naming_the_byte(byte[] bytes, string where, string message)
    {
        Assert.False(CurrentTime.TryParse(bytes, out _, out var error));
        Assert.Equal(where, error.Where);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_and_format_round_trip_a_local_time()
    {
        var local = new DateTime(2026, 3, 29, 23, 59, 58, 250);
        var value = CurrentTime.From(local, CurrentTime.ExternalReferenceTimeUpdate);
        Span<byte> buffer = stackalloc byte[CurrentTime.Length];
        Assert.True(value.TryFormat(buffer, out var written));
        Assert.Equal(CurrentTime.Length, written);
        Assert.Equal(7, buffer[7]); // a Sunday
        Assert.True(CurrentTime.TryParse(buffer, out var back, out _));
        Assert.Equal(value, back);
        Assert.True(back.TryGetDateTime(out var time));
        Assert.Equal(local, time);
    }
}
