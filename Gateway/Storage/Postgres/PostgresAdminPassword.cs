using static Vitals.Gateway.Storage.Postgres.PostgresDatabase;

namespace Vitals.Gateway.Storage.Postgres;

/// <summary><see cref="IAdminPassword"/>: the one row of <c>web_admin</c>.</summary>
public sealed class PostgresAdminPassword(PostgresDatabase db) : IAdminPassword
{
    public Task<string?> GetHashAsync(CancellationToken ct) => db.ReadAsync(async c =>
        await ScalarAsync(c, null, "SELECT password_hash FROM web_admin WHERE id = 1", ct).ConfigureAwait(false) as string, ct);

    public Task SetHashAsync(string passwordHash, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(passwordHash);
        return db.WriteAsync((c, tx) => ExecuteAsync(c, tx, """
            INSERT INTO web_admin (id, password_hash, set_at) VALUES (1, @h, @t)
            ON CONFLICT (id) DO UPDATE SET password_hash = excluded.password_hash, set_at = excluded.set_at
            """, ct, ("h", passwordHash), ("t", PgTime.Utc(at))), ct);
    }
}
