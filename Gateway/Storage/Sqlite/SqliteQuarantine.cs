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
        var moved = await db.WriteAsync((c, tx) => MoveQuarantined(c, tx, deviceId, SqliteTime.Format(db.Time.GetUtcNow())), ct).ConfigureAwait(false);
        StoreLog.QuarantineReleased(db.Log, moved);
        return moved;
    }

    /// <summary>
    /// Moves quarantined readings of currently bound devices into the outbox under their device's patient, due at
    /// <paramref name="now"/>. Runs inside the caller's write transaction.
    /// </summary>
    internal static int MoveQuarantined(SqliteConnection c, SqliteTransaction tx, string? deviceId, string now)
    {
        var deviceFilter = deviceId is null ? "" : "AND r.device_id = $d";
        Execute(c, tx, $"""
            INSERT INTO outbox (reading_id, effective_time, attempts, next_attempt_at, enqueued_at)
            SELECT r.id, r.effective_time, 0, $now, $now
            FROM readings r
            JOIN bindings b ON b.device_id = r.device_id AND b.unbound_at IS NULL
            WHERE r.state = 'quarantined' {deviceFilter}
            ORDER BY r.id
            """, ("$d", deviceId), ("$now", now));
        return Execute(c, tx, $"""
            UPDATE readings AS r
            SET state = 'queued', patient = b.patient
            FROM bindings b
            WHERE b.device_id = r.device_id AND b.unbound_at IS NULL AND r.state = 'quarantined' {deviceFilter}
            """, ("$d", deviceId));
    }
}
