using Microsoft.Data.Sqlite;
using static Vitals.Gateway.Storage.Sqlite.Sql;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary>
/// <see cref="IPendingPairings"/>: the <c>ble_pending_pairing</c> table. Expiry runs on the store's clock
/// (<see cref="SqliteDatabase.Time"/>).
/// </summary>
/// <remarks>
/// A plain DELETE leaves the row's bytes in the freed part of its page and in older frames of the WAL. So passkeys
/// are written and deleted with <c>PRAGMA secure_delete</c> on (SQLite then overwrites deleted content with zeros),
/// and after a delete the WAL is checkpointed and truncated (<c>wal_checkpoint(TRUNCATE)</c>): the zeroed page
/// replaces the old one in the database file and the frames that held the passkey are gone. Only for this table:
/// secure_delete costs extra writes that the outbox's hot path should not pay.
/// </remarks>
public sealed class SqlitePendingPairings(SqliteDatabase db) : IPendingPairings
{
    public Task SetAsync(string address, uint passkey, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        // Secure delete here too: replacing a passkey frees the old cell.
        return db.WriteAsync((c, tx) => SecureDelete(c, tx, () => Execute(c, tx, """
            INSERT INTO ble_pending_pairing (address, passkey, created_at) VALUES ($a, $p, $t)
            ON CONFLICT (address) DO UPDATE SET passkey = excluded.passkey, created_at = excluded.created_at
            """, ("$a", address), ("$p", (long)passkey), ("$t", SqliteTime.Format(at)))), ct);
    }

    public async Task<uint?> GetAsync(string address, CancellationToken ct)
    {
        var cutoff = Cutoff();
        var (passkey, expired) = await db.ReadAsync(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT passkey, created_at <= $cutoff FROM ble_pending_pairing WHERE address = $a";
            cmd.Parameters.AddWithValue("$a", address);
            cmd.Parameters.AddWithValue("$cutoff", cutoff);
            using var r = cmd.ExecuteReader();
            return r.Read() ? ((uint?)r.GetInt64(0), r.GetInt64(1) != 0) : (null, false);
        }, ct).ConfigureAwait(false);
        if (!expired)
        {
            return passkey;
        }
        await WipeExpiredAsync(ct).ConfigureAwait(false);
        return null;
    }

    public async Task RemoveAsync(string address, CancellationToken ct)
    {
        var removed = await db.WriteAsync((c, tx) => SecureDelete(c, tx, () =>
            Execute(c, tx, "DELETE FROM ble_pending_pairing WHERE address = $a", ("$a", address))), ct).ConfigureAwait(false);
        if (removed > 0)
        {
            await db.TruncateWalAsync(ct).ConfigureAwait(false);
        }
    }

    public async Task<int> WipeExpiredAsync(CancellationToken ct)
    {
        var cutoff = Cutoff();
        // A read first: the sweep runs every minute and almost always finds nothing, which needs no write lock.
        var any = await db.ReadAsync(c =>
            Scalar(c, null, "SELECT EXISTS (SELECT 1 FROM ble_pending_pairing WHERE created_at <= $cutoff)", ("$cutoff", cutoff)) is 1L, ct).ConfigureAwait(false);
        if (!any)
        {
            return 0;
        }
        var wiped = await db.WriteAsync((c, tx) => SecureDelete(c, tx, () =>
        {
            var addresses = new List<string>();
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "DELETE FROM ble_pending_pairing WHERE created_at <= $cutoff RETURNING address";
            cmd.Parameters.AddWithValue("$cutoff", cutoff);
            using (var r = cmd.ExecuteReader())
            {
                while (r.Read())
                {
                    addresses.Add(r.GetString(0));
                }
            }
            return addresses;
        }), ct).ConfigureAwait(false);
        if (wiped.Count > 0)
        {
            await db.TruncateWalAsync(ct).ConfigureAwait(false);
        }
        foreach (var address in wiped)
        {
            StoreLog.PasskeyExpired(db.Log, address, IPendingPairings.Lifetime);
        }
        return wiped.Count;
    }

    /// <summary>Passkeys stored at or before this instant have expired (text comparison: <see cref="SqliteTime"/>).</summary>
    private string Cutoff() => SqliteTime.Format(db.Time.GetUtcNow() - IPendingPairings.Lifetime);

    private static T SecureDelete<T>(SqliteConnection c, SqliteTransaction tx, Func<T> work)
    {
        Execute(c, tx, "PRAGMA secure_delete = ON");
        try
        {
            return work();
        }
        finally
        {
            Execute(c, tx, "PRAGMA secure_delete = OFF");
        }
    }
}
