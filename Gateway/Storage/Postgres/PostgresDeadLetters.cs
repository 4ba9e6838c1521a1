using Vitals.Gateway.Patients;
using static Vitals.Gateway.Storage.Postgres.PostgresDatabase;

namespace Vitals.Gateway.Storage.Postgres;

/// <summary><see cref="IDeadLetters"/>: the <c>dead_letters</c> table.</summary>
public sealed class PostgresDeadLetters(PostgresDatabase db) : IDeadLetters
{
    public Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return db.ReadAsync<IReadOnlyList<DeadLetter>>(async c =>
        {
            await using var cmd = Command(c, null, """
                SELECT d.id, d.reading_id, r.device_id, r.patient, r.reading_json, d.failed_at, d.attempts,
                       d.reason, d.http_status, d.request, d.response, r.origin, r.payload
                FROM dead_letters d
                JOIN readings r ON r.id = d.reading_id
                ORDER BY d.id DESC
                LIMIT @n
                """, ("n", limit));
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var list = new List<DeadLetter>();
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                list.Add(new DeadLetter(
                    r.GetInt64(0),
                    r.GetInt64(1),
                    r.GetString(2),
                    PatientId.Parse(r.GetString(3)),
                    ReadingJson.Deserialize(r.GetString(4)),
                    PgTime.Read(r, 5),
                    r.GetInt32(6),
                    new DeadLetterReason(
                        r.GetString(7),
                        r.IsDBNull(8) ? null : r.GetInt32(8),
                        r.IsDBNull(9) ? null : r.GetString(9),
                        r.IsDBNull(10) ? null : r.GetString(10)),
                    r.GetString(11),
                    (byte[])r.GetValue(12)));
            }
            return list;
        }, ct);
    }

    public async Task<int> ReplayDeadLettersAsync(long? deadLetterId, CancellationToken ct)
    {
        var count = await db.WriteAsync(async (c, tx) =>
        {
            var now = PgTime.Utc(db.Time.GetUtcNow());
            await ExecuteAsync(c, tx, """
                INSERT INTO outbox (reading_id, device_id, effective_time, attempts, next_attempt_at, enqueued_at)
                SELECT d.reading_id, r.device_id, r.effective_time, 0, @now, @now
                FROM dead_letters d
                JOIN readings r ON r.id = d.reading_id
                WHERE @id::bigint IS NULL OR d.id = @id
                ORDER BY d.id
                """, ct, ("id", deadLetterId), ("now", now)).ConfigureAwait(false);
            await ExecuteAsync(c, tx, """
                UPDATE readings AS r SET state = 'queued'
                FROM dead_letters d
                WHERE r.id = d.reading_id AND (@id::bigint IS NULL OR d.id = @id)
                """, ct, ("id", deadLetterId)).ConfigureAwait(false);
            return await ExecuteAsync(c, tx, "DELETE FROM dead_letters AS d WHERE @id::bigint IS NULL OR d.id = @id", ct, ("id", deadLetterId))
                .ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
        StoreLog.DeadLettersReplayed(db.Log, count);
        return count;
    }

    /// <remarks>The readings stay, in state 'dead': their identities keep recognising resends.</remarks>
    public async Task<int> PurgeDeadLettersAsync(long? deadLetterId, CancellationToken ct)
    {
        var count = await db.WriteAsync((c, tx) =>
            ExecuteAsync(c, tx, "DELETE FROM dead_letters WHERE @id::bigint IS NULL OR id = @id", ct, ("id", deadLetterId)), ct).ConfigureAwait(false);
        StoreLog.DeadLettersPurged(db.Log, count);
        return count;
    }
}
