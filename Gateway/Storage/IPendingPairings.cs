namespace Vitals.Gateway.Storage;

/// <summary>
/// Passkeys for Bluetooth pairings still to be made (<c>devices pair &lt;address&gt; --passkey NNNNNN</c>), kept in
/// the store so that the CLI (another process) can hand one to the running worker. Never logged. A passkey is a
/// secret that outlives its use only by accident: it is wiped (not merely ignored) once the pairing succeeded or
/// when it expires, <see cref="Lifetime"/> after it was stored, whichever comes first.
/// </summary>
public interface IPendingPairings
{
    /// <summary>
    /// How long a stored passkey stays usable: a device shows its passkey only for the pairing attempt at hand (30 s
    /// to a few minutes), so one older than this cannot pair anything any more.
    /// </summary>
    static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    Task SetAsync(string address, uint passkey, DateTimeOffset at, CancellationToken ct);

    /// <summary>The passkey stored for <paramref name="address"/>; null when there is none or it expired (then it is wiped).</summary>
    Task<uint?> GetAsync(string address, CancellationToken ct);

    Task RemoveAsync(string address, CancellationToken ct);

    /// <summary>Wipes every expired passkey; returns how many there were.</summary>
    Task<int> WipeExpiredAsync(CancellationToken ct);
}
