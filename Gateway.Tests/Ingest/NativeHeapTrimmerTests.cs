using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Ingest;

public sealed class NativeHeapTrimmerTests
{
    [Fact]
    public async Task Trims_once_start_up_is_over_and_then_every_interval_on_its_clock()
    {
        var clock = new FakeTimeProvider();
        var trims = 0;
        using var trimmer = new NativeHeapTrimmer(clock, new RecordingLogger<NativeHeapTrimmer>(), () => { Interlocked.Increment(ref trims); return true; });
        await trimmer.StartAsync(CancellationToken.None);
        Assert.Equal(0, Volatile.Read(ref trims));

        clock.Advance(NativeHeapTrimmer.FirstAfter);
        await Eventually.TrueAsync(() => Volatile.Read(ref trims) == 1, TimeSpan.FromSeconds(10), "the first trim after start-up");
        clock.Advance(NativeHeapTrimmer.Interval);
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
        clock.Advance(NativeHeapTrimmer.FirstAfter + NativeHeapTrimmer.Interval * 3);
        await trimmer.StopAsync(CancellationToken.None);

        Assert.Equal(0, trimmer.Trims);
        var entry = Assert.Single(logger.Entries);
        Assert.Equal(1161, entry.EventId.Id);
        Assert.Equal(LogLevel.Information, entry.Level);
    }

    [Fact]
    public void On_glibc_a_trim_returns_memory_that_free_kept()
    {
        Assert.True(GlibcHeap.IsAvailable, "the test machine's C library is glibc (Debian)");

        // 128 MB in blocks below glibc's mmap threshold (they come from the heap or an arena, not from mmap), written so
        // that their pages are resident, then freed except the last, which pins the heap's top: free() alone cannot
        // shrink the heap below it, so only malloc_trim gives the pages back.
        const int block = 32 * 1024;
        var blocks = new IntPtr[4096];
        for (var i = 0; i < blocks.Length; i++)
        {
            blocks[i] = Marshal.AllocHGlobal(block);
            for (var offset = 0; offset < block; offset += 4096)
                Marshal.WriteByte(blocks[i], offset, 0x5A);
        }
        for (var i = 0; i < blocks.Length - 1; i++)
            Marshal.FreeHGlobal(blocks[i]);

        Assert.True(GlibcHeap.Trim(), "malloc_trim released the freed blocks' pages");
        Marshal.FreeHGlobal(blocks[^1]);
    }
}
