using System.Globalization;
using Microsoft.Data.Sqlite;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using static Vitals.Gateway.Storage.Sqlite.Sql;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary><see cref="IQuarantine"/>: readings in state <c>quarantined</c>.</summary>
public sealed class SqliteQuarantine(SqliteDatabase db) : IQuarantine
{
    public Task<IReadOnlyList<QuarantinedReading>> ListQuarantineAsync(string? deviceId, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return db.ReadAsync(c =>
        {
            using var cmd = deviceId is null
                ? Command(c, null, "SELECT id, device_id, reading_json, received_at FROM readings WHERE state = 'quarantined' ORDER BY id DESC LIMIT $n", ("$n", limit))
                : Command(c, null, "SELECT id, device_id, reading_json, received_at FROM readings WHERE state = 'quarantined' AND device_id = $d ORDER BY id DESC LIMIT $n",
                    ("$d", deviceId), ("$n", limit));
            using var r = cmd.ExecuteReader();
            var list = new List<QuarantinedReading>();
            while (r.Read())
            {
                list.Add(new QuarantinedReading(r.GetInt64(0), r.GetString(1), ReadingJson.Deserialize(r.GetString(2)), SqliteTime.Parse(r.GetString(3))));
            }
            return (IReadOnlyList<QuarantinedReading>)list;
        }, ct);
    }

    public async Task<int> ReleaseQuarantineAsync(string? deviceId, CancellationToken ct)
    {
        var moved = await db.WriteAsync((c, tx) => MoveQuarantined(c, tx, deviceId, null, SqliteTime.Format(db.Time.GetUtcNow())), ct).ConfigureAwait(false);
        StoreLog.QuarantineReleased(db.Log, moved);
        return moved;
    }

    /// <summary>
    /// Moves quarantined readings into the outbox under the patient of the binding of their own slot (device, user
    /// index) whose validity contains their effective time, due at <paramref name="now"/>: of every device or one, and
    /// of every binding or only <paramref name="bindingId"/>. Readings outside every validity stay. Runs inside the
    /// caller's write transaction.
    /// </summary>
    internal static int MoveQuarantined(SqliteConnection c, SqliteTransaction tx, string? deviceId, long? bindingId, string now)
    {
        var filter = (deviceId is null ? "" : " AND r.device_id = $d") + (bindingId is null ? "" : " AND b.id = $b");
        const string Covers = """
            b.device_id = r.device_id AND b.user_index IS r.user_index
            AND r.effective_time >= b.bound_at AND (b.unbound_at IS NULL OR r.effective_time < b.unbound_at)
            """;
        Execute(c, tx, $"""
            INSERT INTO outbox (reading_id, effective_time, attempts, next_attempt_at, enqueued_at)
            SELECT r.id, r.effective_time, 0, $now, $now
            FROM readings r
            JOIN bindings b ON {Covers}
            WHERE r.state = 'quarantined'{filter}
            ORDER BY r.id
            """, ("$d", deviceId), ("$b", bindingId), ("$now", now));
        return Execute(c, tx, $"""
            UPDATE readings AS r
            SET state = 'queued', patient = b.patient
            FROM bindings b
            WHERE {Covers} AND r.state = 'quarantined'{filter}
            """, ("$d", deviceId), ("$b", bindingId));
    }
}
