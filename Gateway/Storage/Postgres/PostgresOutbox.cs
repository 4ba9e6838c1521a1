using Npgsql;
using Vitals.Gateway.Patients;
using static Vitals.Gateway.Storage.Postgres.PostgresDatabase;

namespace Vitals.Gateway.Storage.Postgres;

/// <summary>
/// <see cref="IOutbox"/> for a fleet: <see cref="GetDueAsync"/> claims the entries it hands out with a lease
/// (<c>lease_owner</c> = this instance, <c>lease_until</c> = now + <c>Storage:LeaseDuration</c>), so that any instance
/// delivers what another accepted, each entry goes to one instance at a time, and a crashed instance's claims return
/// when their lease ends. Settling an entry (delivered, retry, dead letter) releases its lease.
/// </summary>
/// <remarks>
/// Per-device order holds across instances: an entry is claimable only when no entry of its device is leased by
/// another instance (and, as on SQLite, none of its device is in this process's flight and no earlier entry of its
/// device waits for a retry). Two instances claiming at the same moment could each see the device free, so a claim
/// first takes a transaction-level advisory lock per candidate device (<c>pg_try_advisory_xact_lock</c>, skipping
/// devices another claim holds) and only then, in a new statement and so a new snapshot, claims rows of the devices
/// it holds with <c>FOR UPDATE SKIP LOCKED</c>. Entries this instance leased stay claimable by it: within a process
/// the delivery loop's in-flight set keeps an entry from being sent twice, as on SQLite.
/// </remarks>
public sealed class PostgresOutbox(PostgresDatabase db) : IOutbox
{
    // @locked null: the candidates (no row locks); otherwise only rows of those devices, locked and skipped when busy.
    private const string Claimable = """
        SELECT o.id, o.device_id FROM outbox o
        WHERE o.next_attempt_at <= @now
          AND (@locked::text[] IS NULL OR o.device_id = ANY(@locked))
          AND o.device_id NOT IN (SELECT f.device_id FROM outbox f WHERE f.id = ANY(@inflight))
          AND NOT EXISTS (
              SELECT 1 FROM outbox l
              WHERE l.device_id = o.device_id AND l.lease_owner IS NOT NULL AND l.lease_owner <> @me AND l.lease_until > @clock)
          AND NOT EXISTS (
              SELECT 1 FROM outbox q
              WHERE q.device_id = o.device_id AND NOT q.isolated AND (q.effective_time, q.id) < (o.effective_time, o.id)
                AND (@heads OR q.next_attempt_at > @now))
        ORDER BY o.effective_time, o.id
        LIMIT @n
        """;

    /// <summary>How much of an unreadable stored reading its dead letter keeps.</summary>
    private const int MaxRawChars = 4096;

    /// <remarks>
    /// A row that cannot be read (its stored reading is not valid JSON, say) is moved to the dead letters with the
    /// reason in the same call, as on SQLite: one bad row neither fails every claim nor holds its device.
    /// </remarks>
    public async Task<IReadOnlyList<OutboxEntry>> GetDueAsync(DateTimeOffset now, int max, IReadOnlySet<long> inFlight, bool headsOnly, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        ArgumentNullException.ThrowIfNull(inFlight);
        var inflight = inFlight.ToArray();
        var unreadable = new List<(long Id, string Reason, string? Raw)>();
        var claimed = await db.WriteAsync(async (c, tx) =>
        {
            var clock = db.Time.GetUtcNow();
            (string, object?)[] Args(string[]? locked) =>
            [
                ("now", PgTime.Utc(now)), ("locked", locked), ("inflight", inflight), ("me", db.InstanceId),
                ("clock", PgTime.Utc(clock)), ("heads", headsOnly), ("n", (long)max),
            ];

            var candidates = new HashSet<string>(StringComparer.Ordinal);
            await using (var cmd = Command(c, tx, Claimable, Args(null)))
            {
                cmd.Parameters["locked"].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text;
                await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    candidates.Add(r.GetString(1));
                }
            }
            if (candidates.Count == 0)
            {
                return [];
            }

            var held = new List<string>();
            await using (var cmd = Command(c, tx, "SELECT d FROM unnest(@devices::text[]) AS d WHERE pg_try_advisory_xact_lock(@space, hashtext(d))",
                ("devices", candidates.ToArray()), ("space", PostgresSchema.DeviceClaimLockSpace)))
            await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    held.Add(r.GetString(0));
                }
            }
            if (held.Count == 0)
            {
                return [];
            }

            // A new statement, so a new snapshot: a claim another instance committed before releasing a device is seen.
            var list = new List<(DateTime Effective, OutboxEntry Entry)>();
            unreadable.Clear(); // the work may run again after a deadlock
            await using (var cmd = Command(c, tx, $"""
                WITH claimable AS ({Claimable} FOR UPDATE OF o SKIP LOCKED)
                UPDATE outbox AS o SET lease_owner = @me, lease_until = @until
                FROM claimable, readings r
                WHERE o.id = claimable.id AND r.id = o.reading_id
                RETURNING o.id, o.reading_id, o.attempts, o.enqueued_at, r.reading_json, r.patient, r.origin, r.payload, o.effective_time, o.last_error
                """, [.. Args([.. held]), ("until", PgTime.Utc(clock + db.LeaseDuration))]))
            await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    try
                    {
                        list.Add((r.GetDateTime(8), new OutboxEntry(
                            r.GetInt64(0),
                            r.GetInt64(1),
                            ReadingJson.Deserialize(r.GetString(4)),
                            PatientId.Parse(r.GetString(5)),
                            r.GetInt32(2),
                            PgTime.Read(r, 3),
                            r.GetString(6),
                            (byte[])r.GetValue(7))
                        {
                            LastError = r.IsDBNull(9) ? null : r.GetString(9),
                        }));
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // Data, not a bug in this query: the row's own content. The exception names the position, not values.
                        var raw = r.IsDBNull(4) ? null : r.GetValue(4) as string;
                        unreadable.Add((r.GetInt64(0), $"{ex.GetType().Name}: {ex.Message}", raw is { Length: > MaxRawChars } ? raw[..MaxRawChars] : raw));
                    }
                }
            }
            // RETURNING has no order of its own.
            return list.OrderBy(e => e.Effective).ThenBy(e => e.Entry.Id).Select(e => e.Entry).ToList();
        }, ct).ConfigureAwait(false);
        foreach (var (id, reason, raw) in unreadable)
        {
            StoreLog.UnreadableOutboxEntry(db.Log, id, reason);
            await DeadLetterAsync(id, new DeadLetterReason($"the stored reading cannot be read: {reason}", null, raw, null), now, ct).ConfigureAwait(false);
        }
        return claimed;
    }

    /// <remarks>
    /// An entry of a device another instance holds a lease on is not due before that lease ends (or is released, which
    /// the idle poll notices): otherwise an idle instance would wake at once, again and again, for work it may not take.
    /// </remarks>
    public Task<DateTimeOffset?> GetNextDueAsync(CancellationToken ct) => db.ReadAsync(async c =>
        await ScalarAsync(c, null, """
            SELECT min(greatest(o.next_attempt_at, b.until))
            FROM outbox o
            LEFT JOIN (SELECT device_id, max(lease_until) AS until FROM outbox
                       WHERE lease_owner IS NOT NULL AND lease_owner <> @me AND lease_until > @clock
                       GROUP BY device_id) b ON b.device_id = o.device_id
            """, ct, ("me", db.InstanceId), ("clock", PgTime.Utc(db.Time.GetUtcNow()))).ConfigureAwait(false) is DateTime next
            ? new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc), TimeSpan.Zero)
            : (DateTimeOffset?)null, ct);

    public Task MarkDeliveredAsync(long outboxId, DateTimeOffset at, string? serverIds, CancellationToken ct) =>
        MarkDeliveredAsync([new DeliveredEntry(outboxId, serverIds)], at, ct);

    public Task MarkDeliveredAsync(IReadOnlyList<DeliveredEntry> entries, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var ids = entries.Select(e => e.OutboxId).ToArray();
        var serverIds = entries.Select(e => e.ServerIds).ToArray();
        return db.WriteAsync(async (c, tx) =>
        {
            var deleted = new HashSet<long>();
            await using (var cmd = Command(c, tx, """
                WITH gone AS (DELETE FROM outbox WHERE id = ANY(@ids) RETURNING id, reading_id)
                UPDATE readings AS r SET state = 'delivered', delivered_at = @at, server_ids = t.server_ids
                FROM gone JOIN unnest(@ids::bigint[], @servers::text[]) AS t(id, server_ids) ON t.id = gone.id
                WHERE r.id = gone.reading_id
                RETURNING gone.id
                """, ("ids", ids), ("servers", serverIds), ("at", PgTime.Utc(at))))
            await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    deleted.Add(r.GetInt64(0));
                }
            }
            // One unknown id rolls the whole set back (the transaction is not committed): two senders had it, a bug.
            if (ids.FirstOrDefault(id => !deleted.Contains(id), -1) is var missing and not -1)
            {
                throw Missing(missing);
            }
            await ExecuteAsync(c, tx, "UPDATE counters SET value = value + @n WHERE name = 'delivered'", ct, ("n", (long)ids.Length)).ConfigureAwait(false);
            return true;
        }, ct);
    }

    public Task ScheduleRetryAsync(long outboxId, DateTimeOffset nextAttemptAt, string lastError, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lastError);
        return db.WriteAsync(async (c, tx) =>
        {
            var changed = await ExecuteAsync(c, tx, """
                UPDATE outbox SET attempts = attempts + 1, next_attempt_at = @next, last_error = @error, lease_owner = NULL, lease_until = NULL
                WHERE id = @id
                """, ct, ("id", outboxId), ("next", PgTime.Utc(nextAttemptAt)), ("error", lastError)).ConfigureAwait(false);
            return changed == 1 ? true : throw Missing(outboxId);
        }, ct);
    }

    public Task ScheduleIsolatedRetryAsync(long outboxId, DateTimeOffset nextAttemptAt, string history, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(history);
        return db.WriteAsync(async (c, tx) =>
        {
            var changed = await ExecuteAsync(c, tx, """
                UPDATE outbox SET attempts = attempts + 1, next_attempt_at = @next, last_error = @error, isolated = true,
                                  lease_owner = NULL, lease_until = NULL
                WHERE id = @id
                """, ct, ("id", outboxId), ("next", PgTime.Utc(nextAttemptAt)), ("error", history)).ConfigureAwait(false);
            return changed == 1 ? true : throw Missing(outboxId);
        }, ct);
    }

    public Task PostponeAsync(IReadOnlyList<long> outboxIds, DateTimeOffset until, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(outboxIds);
        ArgumentNullException.ThrowIfNull(reason);
        if (outboxIds.Count == 0)
            return Task.CompletedTask;
        var ids = outboxIds.ToArray();
        // Attempts stay as they are: the wait is the server's (or the gateway's), not the reading's failure. The lease
        // goes, so after the pause any instance may send them.
        return db.WriteAsync(async (c, tx) => await ExecuteAsync(c, tx, """
            UPDATE outbox SET next_attempt_at = @next, last_error = @error, lease_owner = NULL, lease_until = NULL
            WHERE id = ANY(@ids)
            """, ct, ("ids", ids), ("next", PgTime.Utc(until)), ("error", reason)).ConfigureAwait(false), ct);
    }

    /// <remarks>The attempt that failed for good counts: the dead letter's attempts are the outbox entry's plus one.</remarks>
    public async Task DeadLetterAsync(long outboxId, DeadLetterReason reason, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var (readingId, attempts) = await db.WriteAsync(async (c, tx) =>
        {
            long reading;
            int failed;
            await using (var delete = Command(c, tx, "DELETE FROM outbox WHERE id = @id RETURNING reading_id, attempts", ("id", outboxId)))
            await using (var r = await delete.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                if (!await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    throw Missing(outboxId);
                }
                reading = r.GetInt64(0);
                failed = r.GetInt32(1) + 1;
            }
            await ExecuteAsync(c, tx, """
                INSERT INTO dead_letters (reading_id, failed_at, attempts, reason, http_status, request, response)
                VALUES (@r, @at, @attempts, @reason, @status, @request, @response);
                """, ct,
                ("r", reading), ("at", PgTime.Utc(at)), ("attempts", failed), ("reason", reason.Reason),
                ("status", reason.HttpStatus), ("request", reason.Request), ("response", reason.Response)).ConfigureAwait(false);
            await ExecuteAsync(c, tx, "UPDATE readings SET state = 'dead' WHERE id = @r", ct, ("r", reading)).ConfigureAwait(false);
            return (reading, failed);
        }, ct).ConfigureAwait(false);
        StoreLog.DeadLettered(db.Log, outboxId, readingId, attempts, reason.HttpStatus);
    }

    private static InvalidOperationException Missing(long outboxId) =>
        new($"Outbox entry {outboxId} does not exist (already delivered, dead-lettered, or never created).");
}
