namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>
/// The tests' one poll loop: what another process or a background loop does shows up "eventually", and a test waits
/// for it with a patience rather than a fixed sleep. Wall-clock on purpose: the thing polled runs on real time.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test naming <paramref name="what"/> otherwise.</summary>
    public static Task TrueAsync(Func<bool> condition, TimeSpan patience, string what, TimeSpan? interval = null) =>
        TrueAsync(() => Task.FromResult(condition()), patience, what, interval);

    /// <inheritdoc cref="TrueAsync(Func{bool}, TimeSpan, string, TimeSpan?)"/>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan patience, string what, TimeSpan? interval = null)
    {
        var until = DateTime.UtcNow + patience;
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"{what}: not so within {patience}");
            await Task.Delay(interval ?? DefaultInterval).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads until <paramref name="done"/> holds or the patience runs out and returns the last value read either way,
    /// for tests that assert on what they got (a count short of the target says more than a timeout).
    /// </summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan patience, TimeSpan? interval = null)
    {
        var until = DateTime.UtcNow + patience;
        while (true)
        {
            var value = await read().ConfigureAwait(false);
            if (done(value) || DateTime.UtcNow > until) return value;
            await Task.Delay(interval ?? DefaultInterval).ConfigureAwait(false);
        }
    }
}
