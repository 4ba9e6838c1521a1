using static Vitals.Gateway.Storage.Postgres.PostgresDatabase;

namespace Vitals.Gateway.Storage.Postgres;

/// <summary><see cref="IDeliveryLedger"/>: the <c>delivery_ledger</c> table (single-post profile).</summary>
public sealed class PostgresDeliveryLedger(PostgresDatabase db) : IDeliveryLedger
{
    public Task<IReadOnlyDictionary<string, LedgerEntry>> GetLedgerAsync(IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return db.ReadAsync<IReadOnlyDictionary<string, LedgerEntry>>(async c =>
        {
            await using var cmd = Command(c, null, """
                SELECT resource_key, state, server_id, updated_at FROM delivery_ledger WHERE resource_key = ANY(@keys)
                """, ("keys", keys.ToArray()));
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var found = new Dictionary<string, LedgerEntry>(StringComparer.Ordinal);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                var key = r.GetString(0);
                found[key] = new LedgerEntry(key, r.GetString(1) == "acknowledged", r.IsDBNull(2) ? null : r.GetString(2), PgTime.Read(r, 3));
            }
            return found;
        }, ct);
    }

    public Task RecordSendingAsync(IReadOnlyCollection<string> keys, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        // Sorted: two instances recording overlapping keys lock them in the same order.
        var sorted = keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return db.WriteAsync((c, tx) => ExecuteAsync(c, tx, """
            INSERT INTO delivery_ledger (resource_key, state, server_id, updated_at)
            SELECT k, 'sending', NULL, @at FROM unnest(@keys::text[]) AS k
            ON CONFLICT (resource_key) DO UPDATE SET updated_at = excluded.updated_at WHERE delivery_ledger.state = 'sending'
            """, ct, ("keys", sorted), ("at", PgTime.Utc(at))), ct);
    }

    public Task RecordAcknowledgedAsync(string key, string? serverId, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return db.WriteAsync((c, tx) => ExecuteAsync(c, tx, """
            INSERT INTO delivery_ledger (resource_key, state, server_id, updated_at) VALUES (@k, 'acknowledged', @id, @at)
            ON CONFLICT (resource_key) DO UPDATE SET state = 'acknowledged', server_id = excluded.server_id, updated_at = excluded.updated_at
            """, ct, ("k", key), ("id", serverId), ("at", PgTime.Utc(at))), ct);
    }

    public Task ForgetSendingAsync(string key, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return db.WriteAsync((c, tx) => ExecuteAsync(c, tx, "DELETE FROM delivery_ledger WHERE resource_key = @k AND state = 'sending'", ct, ("k", key)), ct);
    }
}
