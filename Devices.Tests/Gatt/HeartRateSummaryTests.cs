using Vitals.Devices.Gatt;

namespace Vitals.Devices.Tests.Gatt;

public sealed class HeartRateSummaryTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    private static HeartRateMeasurement Beat(ushort rate, SensorContact contact = SensorContact.Detected) => new(rate, false, contact, null, false, []);

    [Fact]
    public void One_notification_a_second_becomes_one_summary_a_minute_the_median()
    {
        var summary = new HeartRateSummary(TimeSpan.FromMinutes(1));
        var out_ = new List<(HeartRateMeasurement Value, DateTimeOffset At)>();
        for (var s = 0; s < 180; s++)
        {
            // 70..79 bpm (lower median of the minute: 75), plus one artefact of 250 a minute that a mean would be pulled up by.
            var rate = (ushort)(s % 60 == 30 ? 250 : 70 + s % 10);
            if (summary.TryAdd(Start.AddSeconds(s), Beat(rate), out var value, out var at)) out_.Add((value, at));
        }

        Assert.Equal(2, out_.Count);
        Assert.All(out_, o => Assert.Equal((ushort)75, o.Value.HeartRate));
        Assert.Equal([Start.AddSeconds(59), Start.AddSeconds(119)], out_.Select(o => o.At));
        Assert.True(summary.TryFlush(out var last, out var lastAt));
        Assert.Equal((75, Start.AddSeconds(179)), (last.HeartRate, lastAt));
        Assert.False(summary.TryFlush(out _, out _));
    }

    [Fact]
    public void Samples_without_skin_contact_count_only_when_there_is_nothing_else()
    {
        var summary = new HeartRateSummary(TimeSpan.FromMinutes(1));
        summary.TryAdd(Start, Beat(30, SensorContact.NotDetected), out _, out _);
        summary.TryAdd(Start.AddSeconds(1), Beat(72), out _, out _);
        summary.TryAdd(Start.AddSeconds(2), Beat(31, SensorContact.NotDetected), out _, out _);
        Assert.True(summary.TryFlush(out var mixed, out _));
        Assert.Equal((72, SensorContact.Detected), (mixed.HeartRate, mixed.Contact));

        summary.TryAdd(Start.AddMinutes(5), Beat(30, SensorContact.NotDetected), out _, out _);
        Assert.True(summary.TryFlush(out var noContact, out _));
        Assert.Equal((30, SensorContact.NotDetected), (noContact.HeartRate, noContact.Contact));
    }

    [Fact]
    public void The_summary_decodes_like_any_0x2A37_value()
    {
        var summary = new HeartRateSummary(TimeSpan.FromMinutes(1));
        summary.TryAdd(Start, Beat(64), out _, out _);
        Assert.True(summary.TryAdd(Start.AddMinutes(1), Beat(90), out var value, out _));
        var bytes = new byte[8];

        Assert.True(value.TryFormat(bytes, out var n));
        Assert.True(GattReadingDecoder.TryDecode("hrm-1", "2a37", bytes.AsSpan(0, n), DecodeContext.At(Start), out var reading, out var error), error.ToString());
        Assert.Equal(new Quantity(64m, Ucum.PerMinute), reading!.Value);
    }
}
