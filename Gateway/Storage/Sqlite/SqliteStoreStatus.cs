using System.Globalization;
using Microsoft.Data.Sqlite;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using static Vitals.Gateway.Storage.Sqlite.Sql;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary><see cref="IStoreStatus"/>: every count in one statement, so the numbers agree with each other.</summary>
public sealed class SqliteStoreStatus(SqliteDatabase db) : IStoreStatus
{
    public Task<OutboxStatus> GetOutboxStatusAsync(CancellationToken ct) => db.ReadAsync(c =>
    {
        // One statement reads one snapshot, so the numbers agree with each other.
        using var cmd = Command(c, null, """
            SELECT (SELECT count(*) FROM outbox),
                   (SELECT count(*) FROM outbox WHERE next_attempt_at <= $now),
                   (SELECT count(*) FROM outbox WHERE attempts > 0),
                   (SELECT value FROM counters WHERE name = 'delivered'),
                   (SELECT count(*) FROM dead_letters),
                   (SELECT count(*) FROM readings WHERE state = 'quarantined'),
                   (SELECT value FROM counters WHERE name = 'rejected'),
                   (SELECT min(enqueued_at) FROM outbox)
            """, ("$now", SqliteTime.Format(db.Time.GetUtcNow())));
        using var r = cmd.ExecuteReader();
        r.Read();
        return new OutboxStatus(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), OptionalTime(r, 7));
    }, ct);
}
