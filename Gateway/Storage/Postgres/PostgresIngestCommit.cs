using Npgsql;
using Vitals.Devices;

namespace Vitals.Gateway.Storage.Postgres;

/// <summary>
/// <see cref="IIngestCommit"/>: a batch of readings and rejections in one transaction, as a handful of set statements
/// (arrays through <c>unnest</c>) rather than one round trip per reading.
/// </summary>
/// <remarks>
/// The batch first locks its devices' rows (in device order, so two batches cannot deadlock on them), then reads the
/// bindings: a bind on another instance takes the same row lock, so it either sees this batch's quarantined readings
/// and moves them, or this batch sees its binding. The unique index on the identity key makes a resend a duplicate
/// even when another instance commits it at the same moment (INSERT ... ON CONFLICT waits for that transaction).
/// </remarks>
public sealed class PostgresIngestCommit(PostgresDatabase db) : IIngestCommit
{
    // An upsert that always writes, in device order: it locks each device's row (new or existing) for the transaction.
    private const string LockDevices = """
        INSERT INTO devices (device_id) SELECT d FROM unnest(@devices::text[]) AS d ORDER BY d
        ON CONFLICT (device_id) DO UPDATE SET device_id = excluded.device_id
        """;

    private const string InsertReadings = """
        INSERT INTO readings (identity_key, device_id, kind, effective_time, received_at, origin, payload, reading_json, patient, state, user_index)
        SELECT k, d, kind, e, r, o, p, j, pat, s, u
        FROM unnest(@keys::text[], @devices::text[], @kinds::text[], @effective::timestamptz[], @received::timestamptz[],
                    @origins::text[], @payloads::bytea[], @json::text[], @patients::text[], @states::text[], @users::integer[])
             WITH ORDINALITY AS t(k, d, kind, e, r, o, p, j, pat, s, u, n)
        ORDER BY n
        ON CONFLICT (identity_key) DO NOTHING
        RETURNING id, identity_key
        """;

    public async Task<IReadOnlyList<IngestOutcome>> CommitAsync(IReadOnlyList<IngestRecord> batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return [];
        }
        var rows = batch.Select(Row.From).ToArray();
        var accepted = rows.Where(r => r.DeviceId is not null).ToArray();
        var deviceIds = accepted.Select(r => r.DeviceId!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

        return await db.WriteAsync(async (c, tx) =>
        {
            var now = db.Time.GetUtcNow().UtcDateTime;
            // Every binding of the batch's devices (a handful of rows per slot), read once; each reading then takes the
            // binding of its own slot (device, user) whose validity contains its effective time, or is quarantined.
            var bindings = new Dictionary<(string DeviceId, int? User), List<(string Patient, DateTime From, DateTime? To)>>();
            if (deviceIds.Length > 0)
            {
                await PostgresDatabase.ExecuteAsync(c, tx, LockDevices, ct, ("devices", deviceIds)).ConfigureAwait(false);
                // A statement of its own: under READ COMMITTED it reads after the locks, so a bind committed meanwhile is seen.
                await using var find = PostgresDatabase.Command(c, tx,
                    "SELECT device_id, user_index, patient, bound_at, unbound_at FROM bindings WHERE device_id = ANY(@devices)", ("devices", deviceIds));
                await using var r = await find.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    var slot = (r.GetString(0), r.IsDBNull(1) ? (int?)null : r.GetInt32(1));
                    if (!bindings.TryGetValue(slot, out var periods))
                    {
                        bindings[slot] = periods = [];
                    }
                    periods.Add((r.GetString(2), PgTime.Read(r, 3).UtcDateTime, r.IsDBNull(4) ? null : PgTime.Read(r, 4).UtcDateTime));
                }
            }
            var patientOf = new string?[accepted.Length];
            for (var i = 0; i < accepted.Length; i++)
            {
                var row = accepted[i];
                foreach (var b in bindings.GetValueOrDefault((row.DeviceId!, row.UserIndex)) ?? [])
                {
                    if (row.EffectiveTime >= b.From && (b.To is not { } to || row.EffectiveTime < to))
                    {
                        patientOf[i] = b.Patient;
                        break;
                    }
                }
            }
            var patientByRow = new Dictionary<Row, string?>(ReferenceEqualityComparer.Instance);
            for (var i = 0; i < accepted.Length; i++)
            {
                patientByRow[accepted[i]] = patientOf[i];
            }

            var inserted = new Dictionary<string, long>(StringComparer.Ordinal);
            if (accepted.Length > 0)
            {
                await using var insert = PostgresDatabase.Command(c, tx, InsertReadings,
                    ("keys", accepted.Select(r => r.IdentityKey).ToArray()),
                    ("devices", accepted.Select(r => r.DeviceId!).ToArray()),
                    ("kinds", accepted.Select(r => r.Kind).ToArray()),
                    ("effective", accepted.Select(r => r.EffectiveTime).ToArray()),
                    ("received", accepted.Select(r => r.ReceivedAt).ToArray()),
                    ("origins", accepted.Select(r => r.Origin).ToArray()),
                    ("payloads", accepted.Select(r => r.Payload).ToArray()),
                    ("json", accepted.Select(r => r.ReadingJson).ToArray()),
                    ("patients", patientOf),
                    ("states", patientOf.Select(p => p is null ? "quarantined" : "queued").ToArray()),
                    ("users", accepted.Select(r => r.UserIndex).ToArray()));
                await using var r = await insert.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    inserted[r.GetString(1)] = r.GetInt64(0);
                }
            }

            var outcomes = new IngestOutcome[rows.Length];
            var queued = new List<(long ReadingId, string DeviceId, DateTime Effective)>();
            var devices = new Dictionary<string, (DateTime LastSeen, long Count)>(StringComparer.Ordinal);
            var rejected = new List<Row>();
            int quarantined = 0, duplicates = 0;
            for (var i = 0; i < rows.Length; i++)
            {
                var row = rows[i];
                if (row.DeviceId is not { } deviceId)
                {
                    rejected.Add(row);
                    outcomes[i] = IngestOutcome.Rejected;
                    continue;
                }
                // The first row with a key got the id; a second copy in the same batch is a duplicate like a resend.
                if (!inserted.Remove(row.IdentityKey, out var readingId))
                {
                    outcomes[i] = IngestOutcome.Duplicate;
                    duplicates++;
                    continue;
                }
                if (patientByRow[row] is not null)
                {
                    queued.Add((readingId, deviceId, row.EffectiveTime));
                    outcomes[i] = IngestOutcome.Queued;
                }
                else
                {
                    outcomes[i] = IngestOutcome.Quarantined;
                    quarantined++;
                }
                devices[deviceId] = devices.TryGetValue(deviceId, out var seen)
                    ? (row.ReceivedAt > seen.LastSeen ? row.ReceivedAt : seen.LastSeen, seen.Count + 1)
                    : (row.ReceivedAt, 1);
            }

            await using (var writes = new NpgsqlBatch(c, tx))
            {
                if (queued.Count > 0)
                {
                    writes.BatchCommands.Add(Command("""
                        INSERT INTO outbox (reading_id, device_id, effective_time, attempts, next_attempt_at, enqueued_at)
                        SELECT r, d, e, 0, @now, @now
                        FROM unnest(@readings::bigint[], @devices::text[], @effective::timestamptz[]) WITH ORDINALITY AS t(r, d, e, n)
                        ORDER BY n
                        """,
                        ("readings", queued.Select(q => q.ReadingId).ToArray()), ("devices", queued.Select(q => q.DeviceId).ToArray()),
                        ("effective", queued.Select(q => q.Effective).ToArray()), ("now", now)));
                }
                if (devices.Count > 0)
                {
                    writes.BatchCommands.Add(Command("""
                        UPDATE devices AS d SET
                            first_seen = coalesce(d.first_seen, t.seen),
                            last_seen = greatest(d.last_seen, t.seen),
                            readings = d.readings + t.n
                        FROM unnest(@devices::text[], @seen::timestamptz[], @counts::bigint[]) AS t(device_id, seen, n)
                        WHERE d.device_id = t.device_id
                        """,
                        ("devices", devices.Keys.ToArray()), ("seen", devices.Values.Select(v => v.LastSeen).ToArray()),
                        ("counts", devices.Values.Select(v => v.Count).ToArray())));
                }
                if (rejected.Count > 0)
                {
                    writes.BatchCommands.Add(Command("""
                        INSERT INTO rejected (received_at, origin, reason, payload)
                        SELECT r, o, why, p FROM unnest(@received::timestamptz[], @origins::text[], @reasons::text[], @payloads::bytea[])
                             WITH ORDINALITY AS t(r, o, why, p, n)
                        ORDER BY n
                        """,
                        ("received", rejected.Select(r => r.ReceivedAt).ToArray()), ("origins", rejected.Select(r => r.Origin).ToArray()),
                        ("reasons", rejected.Select(r => r.RejectReason).ToArray()), ("payloads", rejected.Select(r => r.Payload).ToArray())));
                    writes.BatchCommands.Add(Command("UPDATE counters SET value = value + @n WHERE name = 'rejected'", ("n", (long)rejected.Count)));
                }
                if (writes.BatchCommands.Count > 0)
                {
                    await writes.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
            }
            StoreLog.BatchCommitted(db.Log, rows.Length, queued.Count, quarantined, duplicates, rejected.Count);
            return (IReadOnlyList<IngestOutcome>)outcomes;
        }, ct).ConfigureAwait(false);
    }

    private static NpgsqlBatchCommand Command(string sql, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return cmd;
    }

    /// <summary>One record as column values, built before the transaction (JSON and identity keys need no connection).</summary>
    private sealed record Row(DateTime ReceivedAt, string Origin, byte[] Payload)
    {
        public string? DeviceId { get; private init; }
        public int? UserIndex { get; private init; }
        public string IdentityKey { get; private init; } = "";
        public string Kind { get; private init; } = "";
        public DateTime EffectiveTime { get; private init; }
        public string ReadingJson { get; private init; } = "";
        public string RejectReason { get; private init; } = "";

        public static Row From(IngestRecord record) => record switch
        {
            IngestRecord.Accepted { Reading: var reading } accepted => new Row(record.ReceivedAt.UtcDateTime, record.Origin, record.PayloadArray())
            {
                DeviceId = reading.DeviceId,
                UserIndex = reading.UserId,
                IdentityKey = accepted.IdentityKey,
                Kind = reading.Kind.ToTopicName(),
                EffectiveTime = reading.EffectiveTime.UtcDateTime,
                ReadingJson = accepted.ReadingJson,
            },
            IngestRecord.Rejected { Error: var error } => new Row(record.ReceivedAt.UtcDateTime, record.Origin, record.PayloadArray())
            {
                RejectReason = error.ToString(),
            },
            _ => throw new ArgumentException($"unknown ingest record {record?.GetType().Name}", nameof(record)),
        };
    }
}
