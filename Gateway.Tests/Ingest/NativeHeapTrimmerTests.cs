using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Ingest;

public sealed class NativeHeapTrimmerTests
{
    [Fact]
    public async Task Trims_at_start_and_then_every_interval_on_its_clock()
    {
        var clock = new FakeTimeProvider();
        var trims = 0;
        using var trimmer = new NativeHeapTrimmer(clock, new RecordingLogger<NativeHeapTrimmer>(), () => { Interlocked.Increment(ref trims); return true; });
        await trimmer.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => Volatile.Read(ref trims) == 1, TimeSpan.FromSeconds(10), "the first trim at start");
        clock.Advance(NativeHeapTrimmer.Interval - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, Volatile.Read(ref trims));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.TrueAsync(() => Volatile.Read(ref trims) == 2, TimeSpan.FromSeconds(10), "the second trim one interval later");
        clock.Advance(NativeHeapTrimmer.Interval);
        await Eventually.TrueAsync(() => Volatile.Read(ref trims) == 3, TimeSpan.FromSeconds(10), "the third trim");

        await trimmer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Without_glibc_it_says_so_once_and_never_trims()
    {
        var clock = new FakeTimeProvider();
        var logger = new RecordingLogger<NativeHeapTrimmer>();
        using var trimmer = new NativeHeapTrimmer(clock, logger, trim: null);
        await trimmer.StartAsync(CancellationToken.None);
        // It has nothing to do and ends on its own (ExecuteAsync runs on the thread pool since .NET 10).
        await trimmer.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10));
        clock.Advance(NativeHeapTrimmer.Interval * 3);
        await trimmer.StopAsync(CancellationToken.None);

        Assert.Equal(0, trimmer.Trims);
        var entry = Assert.Single(logger.Entries);
        Assert.Equal(1161, entry.EventId.Id);
        Assert.Equal(LogLevel.Information, entry.Level);
    }

    [Fact]
    public void On_this_machine_the_C_library_is_glibc_and_takes_both_calls()
    {
        Assert.True(GlibcHeap.IsAvailable, "the test machine's C library is glibc (Debian)");
        // mallopt answers 1 when it accepted the setting: the entry point and its signature are right. Whether a trim
        // releases anything depends on where the allocator put what this process freed, so only that it runs is tested.
        Assert.True(GlibcHeap.LimitArenas(NativeHeapTrimmer.MaxArenas), "mallopt(M_ARENA_MAX) accepted");
        GlibcHeap.Trim();
    }
}
