using static Vitals.Gateway.Storage.Postgres.PostgresDatabase;

namespace Vitals.Gateway.Storage.Postgres;

/// <summary>
/// <see cref="IPendingPairings"/>: the <c>ble_pending_pairing</c> table. Expiry runs on the store's clock.
/// </summary>
/// <remarks>
/// A deleted row stays in its page as a dead tuple until VACUUM reclaims the space, and in the write-ahead log until
/// the segment is recycled; PostgreSQL offers no secure delete. The passkey is short-lived and useless once its
/// pairing attempt is over, which is the protection here (docs/storage.md); a Bluetooth hub that pairs runs SQLite.
/// </remarks>
public sealed class PostgresPendingPairings(PostgresDatabase db) : IPendingPairings
{
    public Task SetAsync(string address, uint passkey, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        return db.WriteAsync((c, tx) => ExecuteAsync(c, tx, """
            INSERT INTO ble_pending_pairing (address, passkey, created_at) VALUES (@a, @p, @t)
            ON CONFLICT (address) DO UPDATE SET passkey = excluded.passkey, created_at = excluded.created_at
            """, ct, ("a", address), ("p", (long)passkey), ("t", PgTime.Utc(at))), ct);
    }

    public async Task<uint?> GetAsync(string address, CancellationToken ct)
    {
        var cutoff = Cutoff();
        var (passkey, expired) = await db.ReadAsync(async c =>
        {
            await using var cmd = Command(c, null, "SELECT passkey, created_at <= @cutoff FROM ble_pending_pairing WHERE address = @a", ("a", address), ("cutoff", cutoff));
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await r.ReadAsync(ct).ConfigureAwait(false) ? ((uint?)r.GetInt64(0), r.GetBoolean(1)) : (null, false);
        }, ct).ConfigureAwait(false);
        if (!expired)
        {
            return passkey;
        }
        await WipeExpiredAsync(ct).ConfigureAwait(false);
        return null;
    }

    public Task RemoveAsync(string address, CancellationToken ct) =>
        db.WriteAsync((c, tx) => ExecuteAsync(c, tx, "DELETE FROM ble_pending_pairing WHERE address = @a", ct, ("a", address)), ct);

    public async Task<int> WipeExpiredAsync(CancellationToken ct)
    {
        var cutoff = Cutoff();
        var wiped = await db.WriteAsync(async (c, tx) =>
        {
            var addresses = new List<string>();
            await using var cmd = Command(c, tx, "DELETE FROM ble_pending_pairing WHERE created_at <= @cutoff RETURNING address", ("cutoff", cutoff));
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                addresses.Add(r.GetString(0));
            }
            return addresses;
        }, ct).ConfigureAwait(false);
        foreach (var address in wiped)
        {
            StoreLog.PasskeyExpired(db.Log, address, IPendingPairings.Lifetime);
        }
        return wiped.Count;
    }

    private DateTime Cutoff() => PgTime.Utc(db.Time.GetUtcNow() - IPendingPairings.Lifetime);
}
