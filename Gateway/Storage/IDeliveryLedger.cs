namespace Vitals.Gateway.Storage;

/// <summary>
/// The single-post profile's own de-duplication (for EHRs without conditional create): which resource identifier the
/// EHR acknowledged, with which server id. Keys are opaque to the store (the sender builds them from resource type
/// and identifier). Every write is durable before it returns, so a 2xx recorded here survives a crash.
/// </summary>
public interface IDeliveryLedger
{
    /// <summary>What the ledger knows of <paramref name="keys"/>; keys it has never seen are absent.</summary>
    Task<IReadOnlyDictionary<string, LedgerEntry>> GetLedgerAsync(IReadOnlyCollection<string> keys, CancellationToken ct);

    /// <summary>
    /// Notes that a POST for these keys is about to go out, so that after a crash or a lost answer the gateway knows the
    /// outcome is unknown rather than "never sent". An acknowledged key stays acknowledged.
    /// </summary>
    Task RecordSendingAsync(IReadOnlyCollection<string> keys, DateTimeOffset at, CancellationToken ct);

    /// <summary>The EHR answered 2xx for this key (server id null when the answer named none).</summary>
    Task RecordAcknowledgedAsync(string key, string? serverId, DateTimeOffset at, CancellationToken ct);

    /// <summary>The EHR refused the POST for good, so nothing was created: the key is no longer "outcome unknown".</summary>
    Task ForgetSendingAsync(string key, CancellationToken ct);
}
