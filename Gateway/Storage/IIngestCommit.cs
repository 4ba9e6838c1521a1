namespace Vitals.Gateway.Storage;

/// <summary>
/// The boundary of the pipeline: a message is acknowledged to its source only after <see cref="CommitAsync"/> has
/// returned for it.
/// </summary>
public interface IIngestCommit
{
    /// <summary>
    /// Commits a batch in one transaction: each decoded reading goes to the outbox when its device is bound
    /// (binding looked up inside the transaction), to quarantine when not, or is recognised as a duplicate of a
    /// reading already stored (same identity key); each undecodable message goes to the rejected store with its
    /// reason. Returns one outcome per record, in order.
    /// </summary>
    Task<IReadOnlyList<IngestOutcome>> CommitAsync(IReadOnlyList<IngestRecord> batch, CancellationToken ct);
}
