namespace Vitals.Gateway.Storage;

/// <summary>SQLite's <c>PRAGMA synchronous</c> for the store's writes (<c>Storage:Synchronous</c>).</summary>
public enum SqliteSynchronous
{
    /// <summary>
    /// Every commit is flushed to disk before it returns. A reading acknowledged to its publisher (MQTT PUBACK after
    /// <see cref="IIngestCommit.CommitAsync"/>) then survives power loss.
    /// </summary>
    Full,

    /// <summary>
    /// WAL commits are flushed at checkpoints only: faster, still consistent after a crash of the process, but the
    /// last acknowledged batches can be lost on power loss.
    /// </summary>
    Normal,
}
