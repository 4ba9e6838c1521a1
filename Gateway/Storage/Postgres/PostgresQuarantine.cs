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
        var moved = await db.WriteAsync((c, tx) => MoveQuarantinedAsync(c, tx, deviceId, null, PgTime.Utc(db.Time.GetUtcNow()), ct), ct).ConfigureAwait(false);
        StoreLog.QuarantineReleased(db.Log, moved);
        return moved;
    }

    /// <summary>
    /// Moves quarantined readings into the outbox under the patient of the binding of their own slot (device, user
    /// index) whose validity contains their effective time, due at <paramref name="now"/>: of every device or one, and
    /// of every binding or only <paramref name="bindingId"/>. Readings outside every validity stay. Runs inside the
    /// caller's transaction.
    /// </summary>
    internal static async Task<int> MoveQuarantinedAsync(NpgsqlConnection c, NpgsqlTransaction tx, string? deviceId, long? bindingId, DateTime now,
        CancellationToken ct)
    {
        const string Covers = """
            b.device_id = r.device_id AND b.user_index IS NOT DISTINCT FROM r.user_index
            AND r.effective_time >= b.bound_at AND (b.unbound_at IS NULL OR r.effective_time < b.unbound_at)
            AND (@d::text IS NULL OR r.device_id = @d) AND (@b::bigint IS NULL OR b.id = @b)
            """;
        await ExecuteAsync(c, tx, $"""
            INSERT INTO outbox (reading_id, device_id, effective_time, attempts, next_attempt_at, enqueued_at)
            SELECT r.id, r.device_id, r.effective_time, 0, @now, @now
            FROM readings r
            JOIN bindings b ON {Covers}
            WHERE r.state = 'quarantined'
            ORDER BY r.id
            """, ct, ("d", deviceId), ("b", bindingId), ("now", now)).ConfigureAwait(false);
        return await ExecuteAsync(c, tx, $"""
            UPDATE readings AS r
            SET state = 'queued', patient = b.patient
            FROM bindings b
            WHERE {Covers} AND r.state = 'quarantined'
            """, ct, ("d", deviceId), ("b", bindingId)).ConfigureAwait(false);
    }
}
