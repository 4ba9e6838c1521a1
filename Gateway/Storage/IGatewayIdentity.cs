namespace Vitals.Gateway.Storage;

/// <summary>
/// This installation's own identity, generated once and kept in the store: the PHD IG's gateway (PHG) Device is
/// identified by it, so it must differ between installs and survive restarts and upgrades.
/// </summary>
public interface IGatewayIdentity
{
    /// <summary>
    /// The installation's id: a random EUI-64 in the PHD IG's form (16 upper-case hex digits in dash-separated pairs),
    /// generated and stored on first call. Concurrent first calls (two processes on one store) get the same value.
    /// </summary>
    Task<string> GetOrCreateAsync(CancellationToken ct);
}
