using System.Globalization;
using Microsoft.Data.Sqlite;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using static Vitals.Gateway.Storage.Sqlite.Sql;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary><see cref="IOutbox"/>: the <c>outbox</c> table and the readings' delivery states.</summary>
public sealed class SqliteOutbox(SqliteDatabase db) : IOutbox
{
    /// <remarks>
    /// Per-device order (issue 4): a device's entries go out in effective-time order, one request at a time. So an
    /// entry is due only when no entry of its device is in flight and no earlier entry of its device is waiting for a
    /// retry: the head of a device's queue goes first. A transient failure therefore holds the readings behind it
    /// (order over progress; such failures are about the server, which the others would meet too), while a permanent
    /// refusal moves the entry to the dead letters and frees the device at once. An isolated entry (a reading that
    /// failed alone with server errors while others went through, <see cref="ScheduleIsolatedRetryAsync"/>) holds
    /// nothing: its device's later readings go on without it.
    /// <para>
    /// A row that cannot be read (its stored reading is not valid JSON, a column is missing) is moved to the dead
    /// letters with the reason, in the same call, so that one bad row neither fails every query nor holds its device.
    /// </para>
    /// </remarks>
    public async Task<IReadOnlyList<OutboxEntry>> GetDueAsync(DateTimeOffset now, int max, IReadOnlySet<long> inFlight, bool headsOnly, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        ArgumentNullException.ThrowIfNull(inFlight);
        var (due, unreadable) = await ReadDueAsync(now, max, inFlight, headsOnly, ct).ConfigureAwait(false);
        foreach (var (id, reason, raw) in unreadable)
        {
            StoreLog.UnreadableOutboxEntry(db.Log, id, reason);
            await DeadLetterAsync(id, new DeadLetterReason($"the stored reading cannot be read: {reason}", null, raw, null), now, ct).ConfigureAwait(false);
        }
        return due;
    }

    private Task<(IReadOnlyList<OutboxEntry> Due, List<(long Id, string Reason, string? Raw)> Unreadable)> ReadDueAsync(
        DateTimeOffset now, int max, IReadOnlySet<long> inFlight, bool headsOnly, CancellationToken ct)
    {
        return db.ReadAsync(c =>
        {
            // Devices with an entry in flight are looked up once (json_each over the ids); the NOT EXISTS probes the
            // device's queued readings before this one (ix_readings_queued_device) for one not due yet, or, heads
            // only, for any.
            using var cmd = Command(c, null, """
                SELECT o.id, o.reading_id, o.attempts, o.enqueued_at, r.reading_json, r.patient, r.origin, r.payload, o.last_error
                FROM outbox o
                JOIN readings r ON r.id = o.reading_id
                WHERE o.next_attempt_at <= $now
                  AND r.device_id NOT IN (
                      SELECT fr.device_id FROM outbox fo JOIN readings fr ON fr.id = fo.reading_id
                      WHERE fo.id IN (SELECT value FROM json_each($inflight)))
                  AND NOT EXISTS (
                      SELECT 1 FROM readings q JOIN outbox qo ON qo.reading_id = q.id
                      WHERE q.state = 'queued' AND q.device_id = r.device_id AND qo.isolated = 0
                        AND (q.effective_time < o.effective_time OR (q.effective_time = o.effective_time AND qo.id < o.id))
                        AND ($heads OR qo.next_attempt_at > $now))
                ORDER BY o.effective_time, o.id
                LIMIT $n
                """, ("$now", SqliteTime.Format(now)), ("$n", (long)max), ("$heads", headsOnly ? 1L : 0L),
                ("$inflight", "[" + string.Join(',', inFlight.Select(id => id.ToString(CultureInfo.InvariantCulture))) + "]"));
            using var r = cmd.ExecuteReader();
            var list = new List<OutboxEntry>(Math.Min(max, 1024));
            var unreadable = new List<(long, string, string?)>();
            while (r.Read())
            {
                var id = r.GetInt64(0);
                if (inFlight.Contains(id))
                {
                    continue;
                }
                try
                {
                    list.Add(new OutboxEntry(
                        id,
                        r.GetInt64(1),
                        ReadingJson.Deserialize(r.GetString(4)),
                        PatientId.Parse(r.GetString(5)),
                        r.GetInt32(2),
                        SqliteTime.Parse(r.GetString(3)),
                        r.GetString(6),
                        (byte[])r.GetValue(7))
                    {
                        LastError = r.IsDBNull(8) ? null : r.GetString(8),
                    });
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Data, not a bug in this query: the row's own content (a damaged file, a hand edit, an old bug).
                    // The exception's type and message name the column and position, not the values.
                    var raw = r.IsDBNull(4) ? null : r.GetValue(4) as string;
                    unreadable.Add((id, $"{ex.GetType().Name}: {ex.Message}", raw is { Length: > MaxRawChars } ? raw[..MaxRawChars] : raw));
                }
            }
            return ((IReadOnlyList<OutboxEntry>)list, unreadable);
        }, ct);
    }

    /// <summary>How much of an unreadable stored reading its dead letter keeps.</summary>
    private const int MaxRawChars = 64 * 1024;

    public Task<DateTimeOffset?> GetNextDueAsync(CancellationToken ct) => db.ReadAsync(c =>
        Scalar(c, null, "SELECT min(next_attempt_at) FROM outbox") is string text ? SqliteTime.Parse(text) : (DateTimeOffset?)null, ct);

    public Task MarkDeliveredAsync(long outboxId, DateTimeOffset at, string? serverIds, CancellationToken ct) => db.WriteAsync((c, tx) =>
    {
        var readingId = Scalar(c, tx, "DELETE FROM outbox WHERE id = $id RETURNING reading_id", ("$id", outboxId)) as long?
            ?? throw Sql.MissingOutboxEntry(outboxId);
        Execute(c, tx, "UPDATE readings SET state = 'delivered', delivered_at = $at, server_ids = $ids WHERE id = $r",
            ("$r", readingId), ("$at", SqliteTime.Format(at)), ("$ids", serverIds));
        Execute(c, tx, "UPDATE counters SET value = value + 1 WHERE name = 'delivered'");
        return true;
    }, ct);

    public Task MarkDeliveredAsync(IReadOnlyList<DeliveredEntry> entries, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return db.WriteAsync((c, tx) =>
        {
            using var delete = Command(c, tx, "DELETE FROM outbox WHERE id = $id RETURNING reading_id", ("$id", 0L));
            using var update = Command(c, tx, "UPDATE readings SET state = 'delivered', delivered_at = $at, server_ids = $ids WHERE id = $r",
                ("$r", 0L), ("$at", SqliteTime.Format(at)), ("$ids", null));
            foreach (var entry in entries)
            {
                delete.Parameters["$id"].Value = entry.OutboxId;
                var readingId = delete.ExecuteScalar() as long? ?? throw Sql.MissingOutboxEntry(entry.OutboxId);
                update.Parameters["$r"].Value = readingId;
                update.Parameters["$ids"].Value = (object?)entry.ServerIds ?? DBNull.Value;
                update.ExecuteNonQuery();
            }
            Execute(c, tx, "UPDATE counters SET value = value + $n WHERE name = 'delivered'", ("$n", (long)entries.Count));
            return true;
        }, ct);
    }

    public Task ScheduleRetryAsync(long outboxId, DateTimeOffset nextAttemptAt, string lastError, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lastError);
        return db.WriteAsync((c, tx) =>
        {
            var changed = Execute(c, tx, """
                UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $next, last_error = $error WHERE id = $id
                """, ("$id", outboxId), ("$next", SqliteTime.Format(nextAttemptAt)), ("$error", lastError));
            return changed == 1 ? true : throw Sql.MissingOutboxEntry(outboxId);
        }, ct);
    }

    public Task ScheduleIsolatedRetryAsync(long outboxId, DateTimeOffset nextAttemptAt, string history, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(history);
        return db.WriteAsync((c, tx) =>
        {
            var changed = Execute(c, tx, """
                UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $next, last_error = $error, isolated = 1 WHERE id = $id
                """, ("$id", outboxId), ("$next", SqliteTime.Format(nextAttemptAt)), ("$error", history));
            return changed == 1 ? true : throw Sql.MissingOutboxEntry(outboxId);
        }, ct);
    }

    public Task PostponeAsync(IReadOnlyList<long> outboxIds, DateTimeOffset until, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(outboxIds);
        ArgumentNullException.ThrowIfNull(reason);
        if (outboxIds.Count == 0)
            return Task.CompletedTask;
        return db.WriteAsync((c, tx) =>
        {
            // Attempts stay as they are: the wait is the server's (or the gateway's), not the reading's failure.
            using var update = Command(c, tx, "UPDATE outbox SET next_attempt_at = $next, last_error = $error WHERE id = $id",
                ("$id", 0L), ("$next", SqliteTime.Format(until)), ("$error", reason));
            foreach (var id in outboxIds)
            {
                update.Parameters["$id"].Value = id;
                update.ExecuteNonQuery();
            }
            return true;
        }, ct);
    }

    /// <remarks>The attempt that failed for good counts: the dead letter's attempts are the outbox entry's plus one.</remarks>
    public async Task DeadLetterAsync(long outboxId, DeadLetterReason reason, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var (readingId, attempts) = await db.WriteAsync((c, tx) =>
        {
            using var delete = Command(c, tx, "DELETE FROM outbox WHERE id = $id RETURNING reading_id, attempts", ("$id", outboxId));
            long reading;
            int failed;
            using (var r = delete.ExecuteReader())
            {
                if (!r.Read())
                {
                    throw Sql.MissingOutboxEntry(outboxId);
                }
                reading = r.GetInt64(0);
                failed = r.GetInt32(1) + 1;
            }
            Execute(c, tx, """
                INSERT INTO dead_letters (reading_id, failed_at, attempts, reason, http_status, request, response)
                VALUES ($r, $at, $attempts, $reason, $status, $request, $response)
                """,
                ("$r", reading), ("$at", SqliteTime.Format(at)), ("$attempts", failed), ("$reason", reason.Reason),
                ("$status", reason.HttpStatus), ("$request", reason.Request), ("$response", reason.Response));
            Execute(c, tx, "UPDATE readings SET state = 'dead' WHERE id = $r", ("$r", reading));
            return (reading, failed);
        }, ct).ConfigureAwait(false);
        StoreLog.DeadLettered(db.Log, outboxId, readingId, attempts, reason.HttpStatus);
    }
}
