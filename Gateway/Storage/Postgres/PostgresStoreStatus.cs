using static Vitals.Gateway.Storage.Postgres.PostgresDatabase;

namespace Vitals.Gateway.Storage.Postgres;

/// <summary><see cref="IStoreStatus"/>: every count in one statement, so the numbers agree with each other.</summary>
public sealed class PostgresStoreStatus(PostgresDatabase db) : IStoreStatus
{
    public Task<OutboxStatus> GetOutboxStatusAsync(CancellationToken ct) => db.ReadAsync(async c =>
    {
        // One statement reads one snapshot (PostgreSQL docs "Read Committed Isolation Level").
        await using var cmd = Command(c, null, """
            SELECT (SELECT count(*) FROM outbox),
                   (SELECT count(*) FROM outbox WHERE next_attempt_at <= @now),
                   (SELECT count(*) FROM outbox WHERE attempts > 0),
                   (SELECT value FROM counters WHERE name = 'delivered'),
                   (SELECT count(*) FROM dead_letters),
                   (SELECT count(*) FROM readings WHERE state = 'quarantined'),
                   (SELECT value FROM counters WHERE name = 'rejected'),
                   (SELECT min(enqueued_at) FROM outbox)
            """, ("now", PgTime.Utc(db.Time.GetUtcNow())));
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await r.ReadAsync(ct).ConfigureAwait(false);
        return new OutboxStatus(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), PgTime.ReadOptional(r, 7));
    }, ct);
}
