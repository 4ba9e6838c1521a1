using Npgsql;
using static Vitals.Gateway.Storage.Postgres.PostgresDatabase;

namespace Vitals.Gateway.Storage.Postgres;

/// <summary><see cref="IQuarantine"/>: readings in state <c>quarantined</c>.</summary>
public sealed class PostgresQuarantine(PostgresDatabase db) : IQuarantine
{
    public Task<IReadOnlyList<QuarantinedReading>> ListQuarantineAsync(string? deviceId, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return db.ReadAsync<IReadOnlyList<QuarantinedReading>>(async c =>
        {
            await using var cmd = Command(c, null, """
                SELECT id, device_id, reading_json, received_at FROM readings
                WHERE state = 'quarantined' AND (@d::text IS NULL OR device_id = @d)
                ORDER BY id DESC LIMIT @n
                """, ("d", deviceId), ("n", limit));
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var list = new List<QuarantinedReading>();
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                list.Add(new QuarantinedReading(r.GetInt64(0), r.GetString(1), ReadingJson.Deserialize(r.GetString(2)), PgTime.Read(r, 3)));
            }
            return list;
        }, ct);
    }

    public async Task<int> ReleaseQuarantineAsync(string? deviceId, CancellationToken ct)
    {
        var moved = await db.WriteAsync((c, tx) => MoveQuarantinedAsync(c, tx, deviceId, PgTime.Utc(db.Time.GetUtcNow()), ct), ct).ConfigureAwait(false);
        StoreLog.QuarantineReleased(db.Log, moved);
        return moved;
    }

    /// <summary>
    /// Moves quarantined readings of currently bound devices into the outbox under their device's patient, due at
    /// <paramref name="now"/>. Runs inside the caller's transaction.
    /// </summary>
    internal static async Task<int> MoveQuarantinedAsync(NpgsqlConnection c, NpgsqlTransaction tx, string? deviceId, DateTime now, CancellationToken ct)
    {
        await ExecuteAsync(c, tx, """
            INSERT INTO outbox (reading_id, device_id, effective_time, attempts, next_attempt_at, enqueued_at)
            SELECT r.id, r.device_id, r.effective_time, 0, @now, @now
            FROM readings r
            JOIN bindings b ON b.device_id = r.device_id AND b.unbound_at IS NULL
            WHERE r.state = 'quarantined' AND (@d::text IS NULL OR r.device_id = @d)
            ORDER BY r.id
            """, ct, ("d", deviceId), ("now", now)).ConfigureAwait(false);
        return await ExecuteAsync(c, tx, """
            UPDATE readings AS r
            SET state = 'queued', patient = b.patient
            FROM bindings b
            WHERE b.device_id = r.device_id AND b.unbound_at IS NULL AND r.state = 'quarantined' AND (@d::text IS NULL OR r.device_id = @d)
            """, ct, ("d", deviceId)).ConfigureAwait(false);
    }
}
