using Microsoft.Extensions.Options;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Web;

/// <summary>
/// The store's counts, re-read at most every <c>Metrics:OutboxRefresh</c>: a Prometheus scraper, the readiness check
/// and the status page may ask as often as they like without a query each.
/// </summary>
public sealed class OutboxStatusCache(IStoreStatus store, TimeProvider time, IOptions<MetricsOptions> options)
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private (OutboxStatus Status, DateTimeOffset At)? _last;

    /// <summary>The counts, at most <paramref name="maxAge"/> (default: Metrics:OutboxRefresh) old. Throws when the store cannot be read.</summary>
    public async Task<OutboxStatus> GetAsync(CancellationToken ct, TimeSpan? maxAge = null)
    {
        var limit = maxAge ?? options.Value.OutboxRefresh;
        if (Fresh(limit) is { } cached) return cached;
        await _refresh.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (Fresh(limit) is { } again) return again;
            var status = await store.GetOutboxStatusAsync(ct).ConfigureAwait(false);
            _last = (status, time.GetUtcNow());
            return status;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>The last counts read, however old (null before the first read): for the gauges' synchronous callbacks.</summary>
    public OutboxStatus? Last => _last?.Status;

    private OutboxStatus? Fresh(TimeSpan limit) =>
        _last is { } last && time.GetUtcNow() - last.At < limit ? last.Status : null;
}
