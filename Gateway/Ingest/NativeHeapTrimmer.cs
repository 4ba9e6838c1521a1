using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Ingest;

/// <summary>
/// Gives the native memory the process freed back to the system every <see cref="Interval"/> (glibc only,
/// <see cref="GlibcHeap"/>), so that resident memory follows what the gateway holds now rather than the most it ever
/// held. Without it the soak of docs/performance.md ("Issue 13: the memory soak again") measured about 70 MB of glibc's main heap resident but
/// free from start-up on: the JIT compiles the Firely SDK's <c>ModelInfo</c> static constructor (about 250 KB of IL)
/// once, takes some 75 MB of scratch memory for it and frees it, and glibc keeps it. The thread arenas that SQLite's
/// reads and the sockets use grew the same way under load (about 45 MB after two minutes at 500 readings/s).
/// </summary>
/// <remarks>
/// The call walks the allocator's free lists under its locks, once every <see cref="Interval"/> (the Debug event 1160
/// gives its duration). Pages given back are faulted in again when reused, a cost paid by a gateway that is
/// allocating anyway.
/// </remarks>
internal sealed partial class NativeHeapTrimmer : BackgroundService
{
    /// <summary>
    /// Between trims. The first is at start: this service starts last, after the services whose construction ran the
    /// one-off JIT work, and before most devices have (re)connected.
    /// </summary>
    internal static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _time;
    private readonly ILogger<NativeHeapTrimmer> _logger;
    private readonly Func<bool>? _trim;

    public NativeHeapTrimmer(TimeProvider time, ILogger<NativeHeapTrimmer> logger)
        : this(time, logger, GlibcHeap.IsAvailable ? GlibcHeap.Trim : null)
    {
        // Constructed with the other hosted services, before any of them starts: before the broker's connections and
        // the store's readers create the threads that would each get an arena (MALLOC_ARENA_MAX set by the service
        // manager still wins: it is read when the process starts).
        if (Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is null)
            GlibcHeap.LimitArenas(MaxArenas);
    }

    /// <summary>glibc's malloc arenas: two, as many as this gateway's usual cores (<see cref="GlibcHeap.LimitArenas"/>).</summary>
    internal const int MaxArenas = 2;

    /// <param name="trim">Returns freed memory to the system; null where the C library cannot (not glibc).</param>
    internal NativeHeapTrimmer(TimeProvider time, ILogger<NativeHeapTrimmer> logger, Func<bool>? trim)
    {
        _time = time;
        _logger = logger;
        _trim = trim;
    }

    /// <summary>Trims done so far.</summary>
    internal int Trims { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_trim is null)
        {
            TrimUnavailable(_logger);
            return;
        }
        try
        {
            using var timer = new PeriodicTimer(Interval, _time);
            do
            {
                var before = Environment.WorkingSet;
                var started = Stopwatch.GetTimestamp();
                var released = _trim();
                Trims++;
                if (_logger.IsEnabled(LogLevel.Debug))
                    Trimmed(_logger, released, before / (1024 * 1024), Environment.WorkingSet / (1024 * 1024), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 1160, Level = LogLevel.Debug, Message = "Native heap trimmed (memory returned: {Released}): resident {BeforeMb} MB -> {AfterMb} MB in {ElapsedMs} ms")]
    private static partial void Trimmed(ILogger logger, bool released, long beforeMb, long afterMb, double elapsedMs);

    [LoggerMessage(EventId = 1161, Level = LogLevel.Information, Message = "The C library is not glibc: native memory the gateway frees stays with its allocator (no periodic trim)")]
    private static partial void TrimUnavailable(ILogger logger);
}
