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
    // Locks each device's row (new or existing) for the transaction, in device order: new devices are inserted (a row
    // this transaction inserted is its own until it commits; an instance inserting the same device waits for it), then
    // every row is locked FOR UPDATE, which marks the row instead of writing a new version of it as an upsert's
    // DO UPDATE does (two row versions per device per commit otherwise, with the counters' update below).
    private const string LockDevices = """
        INSERT INTO devices (device_id) SELECT d FROM unnest(@devices::text[]) AS d ORDER BY d ON CONFLICT (device_id) DO NOTHING;
        SELECT 1 FROM devices WHERE device_id = ANY(@devices) ORDER BY device_id FOR UPDATE
        """;

    // Returns the key rather than the row's position in the batch: a join of the inserted rows back to the input on
    // their key, measured, made every commit slower on the server (the one step every reading queues behind) by more
    // than reading the keys back costs here.
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
        var accepted = new AcceptedColumns(batch);
        var deviceIds = accepted.Devices.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

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
            var patientOf = new string?[accepted.Count];
            var states = new string[accepted.Count];
            for (var i = 0; i < accepted.Count; i++)
            {
                foreach (var b in bindings.GetValueOrDefault((accepted.Devices[i], accepted.Users[i])) ?? [])
                {
                    if (accepted.Effective[i] >= b.From && (b.To is not { } to || accepted.Effective[i] < to))
                    {
                        patientOf[i] = b.Patient;
                        break;
                    }
                }
                states[i] = patientOf[i] is null ? "quarantined" : "queued";
            }

            var inserted = new Dictionary<string, long>(accepted.Count, StringComparer.Ordinal);
            if (accepted.Count > 0)
            {
                await using var insert = PostgresDatabase.Command(c, tx, InsertReadings,
                    ("keys", accepted.Keys), ("devices", accepted.Devices), ("kinds", accepted.Kinds), ("effective", accepted.Effective),
                    ("received", accepted.Received), ("origins", accepted.Origins), ("payloads", accepted.Payloads),
                    ("json", accepted.Json), ("patients", patientOf), ("states", states), ("users", accepted.Users));
                await using var r = await insert.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    inserted[r.GetString(1)] = r.GetInt64(0);
                }
            }

            var outcomes = new IngestOutcome[batch.Count];
            var queued = new List<(long ReadingId, string DeviceId, DateTime Effective)>();
            var devices = new Dictionary<string, (DateTime LastSeen, long Count)>(StringComparer.Ordinal);
            var rejected = new List<IngestRecord.Rejected>();
            int quarantined = 0, duplicates = 0;
            for (int i = 0, a = 0; i < batch.Count; i++)
            {
                if (batch[i] is IngestRecord.Rejected rejection)
                {
                    rejected.Add(rejection);
                    outcomes[i] = IngestOutcome.Rejected;
                    continue;
                }
                var row = a++;
                var deviceId = accepted.Devices[row];
                // The first row with a key got the id; a second copy in the same batch is a duplicate like a resend.
                if (!inserted.Remove(accepted.Keys[row], out var readingId))
                {
                    outcomes[i] = IngestOutcome.Duplicate;
                    duplicates++;
                    continue;
                }
                if (patientOf[row] is not null)
                {
                    queued.Add((readingId, deviceId, accepted.Effective[row]));
                    outcomes[i] = IngestOutcome.Queued;
                }
                else
                {
                    outcomes[i] = IngestOutcome.Quarantined;
                    quarantined++;
                }
                var receivedAt = accepted.Received[row];
                devices[deviceId] = devices.TryGetValue(deviceId, out var seen)
                    ? (receivedAt > seen.LastSeen ? receivedAt : seen.LastSeen, seen.Count + 1)
                    : (receivedAt, 1);
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
                        ("received", rejected.Select(r => r.ReceivedAt.UtcDateTime).ToArray()), ("origins", rejected.Select(r => r.Origin).ToArray()),
                        ("reasons", rejected.Select(r => r.Error.ToString()).ToArray()), ("payloads", rejected.Select(r => r.PayloadArray()).ToArray())));
                    writes.BatchCommands.Add(Command("UPDATE counters SET value = value + @n WHERE name = 'rejected'", ("n", (long)rejected.Count)));
                }
                if (writes.BatchCommands.Count > 0)
                {
                    await writes.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
            }
            StoreLog.BatchCommitted(db.Log, batch.Count, queued.Count, quarantined, duplicates, rejected.Count);
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

    /// <summary>
    /// The accepted records of a batch as the insert's column arrays, in batch order, built before the transaction (JSON
    /// and identity keys need no connection).
    /// </summary>
    private sealed class AcceptedColumns
    {
        public AcceptedColumns(IReadOnlyList<IngestRecord> batch)
        {
            var count = 0;
            foreach (var record in batch)
            {
                if (record is IngestRecord.Accepted) count++;
            }
            Count = count;
            (Keys, Devices, Kinds, Origins, Json) = (new string[count], new string[count], new string[count], new string[count], new string[count]);
            (Effective, Received, Payloads, Users) = (new DateTime[count], new DateTime[count], new byte[count][], new int?[count]);
            var i = 0;
            foreach (var record in batch)
            {
                if (record is not IngestRecord.Accepted { Reading: var reading } accepted) continue;
                Keys[i] = accepted.IdentityKey;
                Devices[i] = reading.DeviceId;
                Kinds[i] = reading.Kind.ToTopicName();
                Effective[i] = reading.EffectiveTime.UtcDateTime;
                Received[i] = accepted.ReceivedAt.UtcDateTime;
                Origins[i] = accepted.Origin;
                Payloads[i] = accepted.PayloadArray();
                Json[i] = accepted.ReadingJson;
                Users[i] = reading.UserId;
                i++;
            }
        }

        public int Count { get; }
        public string[] Keys { get; }
        public string[] Devices { get; }
        public string[] Kinds { get; }
        public DateTime[] Effective { get; }
        public DateTime[] Received { get; }
        public string[] Origins { get; }
        public byte[][] Payloads { get; }
        public string[] Json { get; }
        public int?[] Users { get; }
    }
}
