namespace Vitals.Gateway.Storage;

/// <summary>What the readiness check asks of the store: can it still commit (disk full, read-only, lock held, closed)?</summary>
public interface IStoreHealth
{
    /// <summary>
    /// Commits one tiny write transaction the way ingest commits readings; throws when the store cannot. Opening a
    /// connection is not enough: a read-only file or a full disk opens fine and fails only at the commit.
    /// </summary>
    Task ProbeWriteAsync(CancellationToken ct);
}
