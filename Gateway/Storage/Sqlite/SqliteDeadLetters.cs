using System.Globalization;
using Microsoft.Data.Sqlite;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using static Vitals.Gateway.Storage.Sqlite.Sql;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary><see cref="IDeadLetters"/>: the <c>dead_letters</c> table.</summary>
public sealed class SqliteDeadLetters(SqliteDatabase db) : IDeadLetters
{
    public Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return db.ReadAsync(c =>
        {
            using var cmd = Command(c, null, """
                SELECT d.id, d.reading_id, r.device_id, r.patient, r.reading_json, d.failed_at, d.attempts,
                       d.reason, d.http_status, d.request, d.response, r.origin, r.payload
                FROM dead_letters d
                JOIN readings r ON r.id = d.reading_id
                ORDER BY d.id DESC
                LIMIT $n
                """, ("$n", limit));
            using var r = cmd.ExecuteReader();
            var list = new List<DeadLetter>();
            while (r.Read())
            {
                list.Add(new DeadLetter(
                    r.GetInt64(0),
                    r.GetInt64(1),
                    r.GetString(2),
                    PatientId.Parse(r.GetString(3)),
                    TryReading(r.GetString(4)),
                    SqliteTime.Parse(r.GetString(5)),
                    r.GetInt32(6),
                    new DeadLetterReason(
                        r.GetString(7),
                        r.IsDBNull(8) ? null : r.GetInt32(8),
                        r.IsDBNull(9) ? null : r.GetString(9),
                        r.IsDBNull(10) ? null : r.GetString(10)),
                    r.GetString(11),
                    (byte[])r.GetValue(12)));
            }
            return (IReadOnlyList<DeadLetter>)list;
        }, ct);
    }

    private static Reading? TryReading(string json)
    {
        try
        {
            return ReadingJson.Deserialize(json);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }

    public async Task<int> ReplayDeadLettersAsync(long? deadLetterId, CancellationToken ct)
    {
        var count = await db.WriteAsync((c, tx) =>
        {
            var filter = deadLetterId is null ? "" : "WHERE d.id = $id";
            var now = SqliteTime.Format(db.Time.GetUtcNow());
            Execute(c, tx, $"""
                INSERT INTO outbox (reading_id, effective_time, attempts, next_attempt_at, enqueued_at)
                SELECT d.reading_id, r.effective_time, 0, $now, $now
                FROM dead_letters d
                JOIN readings r ON r.id = d.reading_id
                {filter}
                ORDER BY d.id
                """, ("$id", deadLetterId), ("$now", now));
            Execute(c, tx, $"""
                UPDATE readings AS r SET state = 'queued'
                FROM dead_letters d
                WHERE r.id = d.reading_id {(deadLetterId is null ? "" : "AND d.id = $id")}
                """, ("$id", deadLetterId));
            return Execute(c, tx, $"DELETE FROM dead_letters AS d {filter}", ("$id", deadLetterId));
        }, ct).ConfigureAwait(false);
        StoreLog.DeadLettersReplayed(db.Log, count);
        return count;
    }

    /// <remarks>The readings stay, in state 'dead': their identities keep recognising resends.</remarks>
    public async Task<int> PurgeDeadLettersAsync(long? deadLetterId, CancellationToken ct)
    {
        var count = await db.WriteAsync((c, tx) => deadLetterId is null
            ? Execute(c, tx, "DELETE FROM dead_letters")
            : Execute(c, tx, "DELETE FROM dead_letters WHERE id = $id", ("$id", deadLetterId)), ct).ConfigureAwait(false);
        StoreLog.DeadLettersPurged(db.Log, count);
        return count;
    }
}
