using System.Runtime.InteropServices;

namespace Vitals.Gateway.Ingest;

/// <summary>
/// The C library's allocator (glibc's malloc), where the process's native memory lives: SQLite's page caches and
/// statements, the JIT's scratch memory, sockets' buffers in the runtime. glibc keeps memory that was freed for reuse
/// instead of returning it to the system: it trims its main heap only from the top and only past a threshold that
/// grows with the largest block freed (mallopt(3), M_TRIM_THRESHOLD and M_MMAP_THRESHOLD: "dynamic mmap threshold"),
/// and each thread arena keeps its own free lists. <c>malloc_trim(0)</c> (malloc_trim(3), glibc 2.8 and later) gives
/// every whole free page of every arena back with madvise(MADV_DONTNEED), wherever it lies in the heap.
/// </summary>
internal static class GlibcHeap
{
    private static readonly Lazy<bool> Present = new(Probe);

    /// <summary>True on Linux with glibc (not musl, where malloc_trim does not exist).</summary>
    public static bool IsAvailable => Present.Value;

    /// <summary>mallopt(3)'s M_ARENA_MAX.</summary>
    private const int MArenaMax = -8;

    /// <summary>
    /// Caps the number of malloc arenas for threads created from now on. glibc gives a thread that meets a locked arena
    /// an arena of its own, up to eight per core, each a 64 MB reservation with free lists of its own; the gateway's
    /// native allocations are few and short (SQLite's statements and pages, socket buffers), so two arenas serve them
    /// with less memory held free across arenas. True when glibc accepted the setting.
    /// </summary>
    public static bool LimitArenas(int max) => IsAvailable && MallOpt(MArenaMax, max) == 1;

    /// <summary>Returns freed native memory to the system; true when some was returned.</summary>
    public static bool Trim() => IsAvailable && MallocTrim(0) == 1;

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux())
            return false;
        try
        {
            return GnuGetLibcVersion() != IntPtr.Zero;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    // DllImport, not LibraryImport: the signatures are blittable, and LibraryImport would need unsafe code enabled.
    [DllImport("libc", EntryPoint = "malloc_trim", ExactSpelling = true)]
    private static extern int MallocTrim(nuint pad);

    [DllImport("libc", EntryPoint = "mallopt", ExactSpelling = true)]
    private static extern int MallOpt(int param, int value);

    [DllImport("libc", EntryPoint = "gnu_get_libc_version", ExactSpelling = true)]
    private static extern IntPtr GnuGetLibcVersion();
}
