using static Vitals.Gateway.Storage.Sqlite.Sql;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary><see cref="IAdminPassword"/>: the one row of <c>web_admin</c>.</summary>
public sealed class SqliteAdminPassword(SqliteDatabase db) : IAdminPassword
{
    public Task<string?> GetHashAsync(CancellationToken ct) => db.ReadAsync(c =>
        Scalar(c, null, "SELECT password_hash FROM web_admin WHERE id = 1") as string, ct);

    public Task SetHashAsync(string passwordHash, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(passwordHash);
        return db.WriteAsync((c, tx) => Execute(c, tx, """
            INSERT INTO web_admin (id, password_hash, set_at) VALUES (1, $h, $t)
            ON CONFLICT (id) DO UPDATE SET password_hash = excluded.password_hash, set_at = excluded.set_at
            """, ("$h", passwordHash), ("$t", SqliteTime.Format(at))), ct);
    }
}
