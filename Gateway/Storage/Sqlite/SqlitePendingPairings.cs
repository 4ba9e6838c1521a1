using static Vitals.Gateway.Storage.Sqlite.Sql;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary><see cref="IPendingPairings"/>: the <c>ble_pending_pairing</c> table.</summary>
public sealed class SqlitePendingPairings(SqliteDatabase db) : IPendingPairings
{
    public Task SetAsync(string address, uint passkey, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        return db.WriteAsync((c, tx) => Execute(c, tx, """
            INSERT INTO ble_pending_pairing (address, passkey, created_at) VALUES ($a, $p, $t)
            ON CONFLICT (address) DO UPDATE SET passkey = excluded.passkey, created_at = excluded.created_at
            """, ("$a", address), ("$p", (long)passkey), ("$t", SqliteTime.Format(at))), ct);
    }

    public Task<uint?> GetAsync(string address, CancellationToken ct) => db.ReadAsync(c =>
        Scalar(c, null, "SELECT passkey FROM ble_pending_pairing WHERE address = $a", ("$a", address)) is long p ? (uint?)p : null, ct);

    public Task RemoveAsync(string address, CancellationToken ct) =>
        db.WriteAsync((c, tx) => Execute(c, tx, "DELETE FROM ble_pending_pairing WHERE address = $a", ("$a", address)), ct);
}
