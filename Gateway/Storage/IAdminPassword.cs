namespace Vitals.Gateway.Storage;

/// <summary>
/// The web pages' admin password (<c>admin set-password</c>), as the PBKDF2 hash string the web host verifies; in the
/// store so that the CLI and the running gateway (another process, or another host on PostgreSQL) share it.
/// </summary>
public interface IAdminPassword
{
    /// <summary>The stored hash, or null when no password was ever set.</summary>
    Task<string?> GetHashAsync(CancellationToken ct);

    /// <summary>Sets or replaces the hash.</summary>
    Task SetHashAsync(string passwordHash, DateTimeOffset at, CancellationToken ct);
}
