using System.Globalization;
using Microsoft.Data.Sqlite;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using static Vitals.Gateway.Storage.Sqlite.Sql;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary><see cref="IDeliveryLedger"/>: the <c>delivery_ledger</c> table (single-post profile).</summary>
public sealed class SqliteDeliveryLedger(SqliteDatabase db) : IDeliveryLedger
{
    public Task<IReadOnlyDictionary<string, LedgerEntry>> GetLedgerAsync(IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return db.ReadAsync(c =>
        {
            using var cmd = Command(c, null, """
                SELECT resource_key, state, server_id, updated_at FROM delivery_ledger
                WHERE resource_key IN (SELECT value FROM json_each($keys))
                """, ("$keys", JsonArray(keys)));
            using var r = cmd.ExecuteReader();
            var found = new Dictionary<string, LedgerEntry>(StringComparer.Ordinal);
            while (r.Read())
            {
                var key = r.GetString(0);
                found[key] = new LedgerEntry(key, r.GetString(1) == "acknowledged", r.IsDBNull(2) ? null : r.GetString(2), SqliteTime.Parse(r.GetString(3)));
            }
            return (IReadOnlyDictionary<string, LedgerEntry>)found;
        }, ct);
    }

    public Task RecordSendingAsync(IReadOnlyCollection<string> keys, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return db.WriteAsync((c, tx) =>
        {
            foreach (var key in keys)
            {
                Execute(c, tx, """
                    INSERT INTO delivery_ledger (resource_key, state, server_id, updated_at) VALUES ($k, 'sending', NULL, $at)
                    ON CONFLICT (resource_key) DO UPDATE SET updated_at = excluded.updated_at WHERE state = 'sending'
                    """, ("$k", key), ("$at", SqliteTime.Format(at)));
            }
            return true;
        }, ct);
    }

    public Task RecordAcknowledgedAsync(string key, string? serverId, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return db.WriteAsync((c, tx) => Execute(c, tx, """
            INSERT INTO delivery_ledger (resource_key, state, server_id, updated_at) VALUES ($k, 'acknowledged', $id, $at)
            ON CONFLICT (resource_key) DO UPDATE SET state = 'acknowledged', server_id = excluded.server_id, updated_at = excluded.updated_at
            """, ("$k", key), ("$id", serverId), ("$at", SqliteTime.Format(at))), ct);
    }

    public Task ForgetSendingAsync(string key, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return db.WriteAsync((c, tx) => Execute(c, tx, "DELETE FROM delivery_ledger WHERE resource_key = $k AND state = 'sending'", ("$k", key)), ct);
    }
}
