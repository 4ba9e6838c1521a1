namespace Vitals.Gateway.Storage;

/// <summary>
/// Passkeys for Bluetooth pairings still to be made (<c>devices pair &lt;address&gt; --passkey NNNNNN</c>), kept in
/// the store so that the CLI (another process) can hand one to the running worker. Removed once the pairing
/// succeeded; never logged.
/// </summary>
public interface IPendingPairings
{
    Task SetAsync(string address, uint passkey, DateTimeOffset at, CancellationToken ct);

    Task<uint?> GetAsync(string address, CancellationToken ct);

    Task RemoveAsync(string address, CancellationToken ct);
}
