using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Devices;
using Vitals.Gateway.Binding;

namespace Vitals.Gateway.Storage;

/// <summary>
/// <see cref="IGatewayStore"/> on one SQLite file in WAL mode. All writes go through one dedicated connection guarded by
/// a semaphore, each in a <c>BEGIN IMMEDIATE</c> transaction, so a write never has to upgrade a read lock and a
/// second process on the same file (the CLI) simply waits its turn (busy timeout). Reads use pooled connections of
/// their own and see the last committed state without blocking the writer.
/// </summary>
/// <remarks>
/// Lists (quarantine, rejected, dead letters) are newest first. Instants are returned in UTC; the offsets a device
/// sent are kept inside its <see cref="Reading"/>.
/// </remarks>
public sealed class SqliteStore : IGatewayStore, IDeliveryLedger
{
    private readonly StorageOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SqliteStore> _log;
    private readonly string _writerConnectionString;
    private readonly string _readerConnectionString;
    private readonly int _busyTimeoutMs;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private SqliteConnection? _writer;
    private SqliteCommitCommands? _commit;
    private volatile bool _initialized;
    private volatile bool _disposed;

    public SqliteStore(IOptions<StorageOptions> options, TimeProvider timeProvider, ILogger<SqliteStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _log = logger ?? throw new ArgumentNullException(nameof(logger));
        if (_options.Provider != StorageProvider.Sqlite)
        {
            throw new InvalidOperationException($"SqliteStore cannot serve Storage:Provider '{_options.Provider}'.");
        }

        DatabasePath = _options.ResolvePath();
        _busyTimeoutMs = (int)Math.Ceiling(_options.BusyTimeout.TotalMilliseconds);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(_options.BusyTimeout.TotalSeconds)),
            // The writer lives as long as the store; readers come and go and reuse pooled handles.
            Pooling = false,
        };
        _writerConnectionString = builder.ToString();
        builder.Pooling = true;
        _readerConnectionString = builder.ToString();
    }

    /// <summary>The absolute path of the SQLite file.</summary>
    public string DatabasePath { get; }

    public async Task InitializeAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_initialized)
            {
                return;
            }
            var folder = Path.GetDirectoryName(DatabasePath);
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            var writer = new SqliteConnection(_writerConnectionString);
            try
            {
                writer.Open();
                Pragma(writer, $"busy_timeout = {_busyTimeoutMs}");
                var mode = Convert.ToString(Scalar(writer, null, "PRAGMA journal_mode = WAL"), CultureInfo.InvariantCulture);
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"The store at {DatabasePath} could not switch to WAL mode (journal mode is '{mode}').");
                }
                Pragma(writer, _options.Synchronous == SqliteSynchronous.Full ? "synchronous = FULL" : "synchronous = NORMAL");
                Pragma(writer, "foreign_keys = ON");
                Pragma(writer, "temp_store = MEMORY");
                Pragma(writer, "cache_size = -16000");

                var version = Migrate(writer);
                _commit = new SqliteCommitCommands(writer);
                _writer = writer;
                _initialized = true;
                SqliteStoreLog.StoreOpened(_log, DatabasePath, version, _options.Synchronous);
            }
            catch
            {
                writer.Dispose();
                throw;
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private int Migrate(SqliteConnection writer)
    {
        using var tx = writer.BeginTransaction(deferred: false);
        Execute(writer, tx, SqliteSchema.CreateVersionTable);
        var from = Convert.ToInt32(Scalar(writer, tx, "SELECT coalesce(max(version), 0) FROM schema_version"), CultureInfo.InvariantCulture);
        if (from > SqliteSchema.CurrentVersion)
        {
            throw new InvalidOperationException(
                $"The store at {DatabasePath} has schema version {from}, newer than this gateway understands ({SqliteSchema.CurrentVersion}).");
        }
        var now = SqliteTime.Format(_time.GetUtcNow());
        for (var version = from; version < SqliteSchema.CurrentVersion; version++)
        {
            Execute(writer, tx, SqliteSchema.Migrations[version]);
            Execute(writer, tx, "INSERT INTO schema_version (version, applied_at) VALUES ($v, $at)", ("$v", version + 1), ("$at", now));
        }
        tx.Commit();
        if (from != SqliteSchema.CurrentVersion)
        {
            SqliteStoreLog.SchemaMigrated(_log, from, SqliteSchema.CurrentVersion);
        }
        return SqliteSchema.CurrentVersion;
    }

    // ------------------------------------------------------------------ ingest

    public async Task<IReadOnlyList<IngestOutcome>> CommitAsync(IReadOnlyList<IngestRecord> batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return [];
        }
        var rows = new CommitRow[batch.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = CommitRow.From(batch[i]);
        }

        return await WriteAsync((_, tx) =>
        {
            var commands = _commit!;
            commands.Enlist(tx);
            var now = SqliteTime.Format(_time.GetUtcNow());
            var outcomes = new IngestOutcome[rows.Length];
            // Within the transaction nobody else can change a binding, so one look-up per device suffices.
            var patients = new Dictionary<string, string?>(StringComparer.Ordinal);
            var devices = new Dictionary<string, (DateTimeOffset LastSeen, string LastSeenText, long Count)>(StringComparer.Ordinal);
            int queued = 0, quarantined = 0, duplicates = 0, rejected = 0;

            for (var i = 0; i < rows.Length; i++)
            {
                var row = rows[i];
                if (row.DeviceId is not { } deviceId)
                {
                    commands.InsertRejected(row);
                    outcomes[i] = IngestOutcome.Rejected;
                    rejected++;
                    continue;
                }
                if (!patients.TryGetValue(deviceId, out var patient))
                {
                    patient = commands.FindPatient(deviceId);
                    patients[deviceId] = patient;
                }
                var readingId = commands.InsertReading(row, patient, patient is null ? SqliteSchema.Quarantined : SqliteSchema.Queued);
                if (readingId is not { } id)
                {
                    outcomes[i] = IngestOutcome.Duplicate;
                    duplicates++;
                    continue;
                }
                if (patient is not null)
                {
                    commands.InsertOutbox(id, row.EffectiveTime, now);
                    outcomes[i] = IngestOutcome.Queued;
                    queued++;
                }
                else
                {
                    outcomes[i] = IngestOutcome.Quarantined;
                    quarantined++;
                }
                devices[deviceId] = devices.TryGetValue(deviceId, out var seen)
                    ? (row.ReceivedAt > seen.LastSeen ? (row.ReceivedAt, row.ReceivedAtText, seen.Count + 1) : seen with { Count = seen.Count + 1 })
                    : (row.ReceivedAt, row.ReceivedAtText, 1);
            }

            foreach (var (deviceId, seen) in devices)
            {
                commands.TouchDevice(deviceId, seen.LastSeenText, seen.Count);
            }
            if (rejected > 0)
            {
                commands.AddToCounter(SqliteSchema.RejectedCounter, rejected);
            }
            SqliteStoreLog.BatchCommitted(_log, rows.Length, queued, quarantined, duplicates, rejected);
            return (IReadOnlyList<IngestOutcome>)outcomes;
        }, ct).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ bindings

    /// <remarks>Binding a device again to the patient it is already bound to keeps the current binding (no new history entry).</remarks>
    public async Task<int> BindAsync(string deviceId, PatientId patient, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentNullException.ThrowIfNull(patient);
        var moved = await WriteAsync((c, tx) =>
        {
            var atText = SqliteTime.Format(at);
            var current = Scalar(c, tx, "SELECT patient FROM bindings WHERE device_id = $d AND unbound_at IS NULL", ("$d", deviceId)) as string;
            if (current != patient.Text)
            {
                Execute(c, tx, "UPDATE bindings SET unbound_at = $at WHERE device_id = $d AND unbound_at IS NULL", ("$d", deviceId), ("$at", atText));
                Execute(c, tx, "INSERT INTO bindings (device_id, patient, bound_at) VALUES ($d, $p, $at)",
                    ("$d", deviceId), ("$p", patient.Text), ("$at", atText));
            }
            Execute(c, tx, "INSERT INTO devices (device_id) VALUES ($d) ON CONFLICT (device_id) DO NOTHING", ("$d", deviceId));
            return MoveQuarantined(c, tx, deviceId, atText);
        }, ct).ConfigureAwait(false);
        SqliteStoreLog.DeviceBound(_log, deviceId, moved);
        SqliteStoreLog.DeviceBoundTo(_log, deviceId, patient.Text);
        return moved;
    }

    public async Task<bool> UnbindAsync(string deviceId, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        var ended = await WriteAsync((c, tx) =>
            Execute(c, tx, "UPDATE bindings SET unbound_at = $at WHERE device_id = $d AND unbound_at IS NULL",
                ("$d", deviceId), ("$at", SqliteTime.Format(at))) > 0, ct).ConfigureAwait(false);
        if (ended)
        {
            SqliteStoreLog.DeviceUnbound(_log, deviceId);
        }
        return ended;
    }

    public Task<IReadOnlyList<DeviceSummary>> ListDevicesAsync(CancellationToken ct) => ReadAsync(c =>
    {
        using var cmd = Command(c, null, """
            SELECT d.device_id, b.patient, b.bound_at, d.last_seen, d.readings,
                   (SELECT count(*) FROM readings q WHERE q.device_id = d.device_id AND q.state = 'quarantined')
            FROM devices d
            LEFT JOIN bindings b ON b.device_id = d.device_id AND b.unbound_at IS NULL
            ORDER BY d.device_id
            """);
        using var r = cmd.ExecuteReader();
        var list = new List<DeviceSummary>();
        while (r.Read())
        {
            list.Add(new DeviceSummary(
                r.GetString(0),
                r.IsDBNull(1) ? null : PatientId.Parse(r.GetString(1)),
                OptionalTime(r, 2),
                OptionalTime(r, 3),
                r.GetInt64(4),
                r.GetInt64(5)));
        }
        return (IReadOnlyList<DeviceSummary>)list;
    }, ct);

    public Task<IReadOnlyList<string>> ListBoundDeviceIdsAsync(CancellationToken ct) => ReadAsync(c =>
    {
        using var cmd = Command(c, null, "SELECT device_id FROM bindings WHERE unbound_at IS NULL ORDER BY device_id");
        using var r = cmd.ExecuteReader();
        var ids = new List<string>();
        while (r.Read())
        {
            ids.Add(r.GetString(0));
        }
        return (IReadOnlyList<string>)ids;
    }, ct);

    /// <summary>The binding history, oldest first: every device, or one device's.</summary>
    public Task<IReadOnlyList<BindingRecord>> ListBindingsAsync(string? deviceId, CancellationToken ct) => ReadAsync(c =>
    {
        using var cmd = Command(c, null, """
            SELECT id, device_id, patient, bound_at, unbound_at FROM bindings
            WHERE $d IS NULL OR device_id = $d
            ORDER BY device_id, bound_at, id
            """, ("$d", deviceId));
        using var r = cmd.ExecuteReader();
        var list = new List<BindingRecord>();
        while (r.Read())
        {
            list.Add(new BindingRecord(r.GetInt64(0), r.GetString(1), PatientId.Parse(r.GetString(2)), SqliteTime.Parse(r.GetString(3)), OptionalTime(r, 4)));
        }
        return (IReadOnlyList<BindingRecord>)list;
    }, ct);

    // ------------------------------------------------------------------ quarantine and rejected

    public Task<IReadOnlyList<QuarantinedReading>> ListQuarantineAsync(string? deviceId, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return ReadAsync(c =>
        {
            using var cmd = deviceId is null
                ? Command(c, null, "SELECT id, device_id, reading_json, received_at FROM readings WHERE state = 'quarantined' ORDER BY id DESC LIMIT $n", ("$n", limit))
                : Command(c, null, "SELECT id, device_id, reading_json, received_at FROM readings WHERE state = 'quarantined' AND device_id = $d ORDER BY id DESC LIMIT $n",
                    ("$d", deviceId), ("$n", limit));
            using var r = cmd.ExecuteReader();
            var list = new List<QuarantinedReading>();
            while (r.Read())
            {
                list.Add(new QuarantinedReading(r.GetInt64(0), r.GetString(1), ReadingJson.Deserialize(r.GetString(2)), SqliteTime.Parse(r.GetString(3))));
            }
            return (IReadOnlyList<QuarantinedReading>)list;
        }, ct);
    }

    public async Task<int> ReleaseQuarantineAsync(string? deviceId, CancellationToken ct)
    {
        var moved = await WriteAsync((c, tx) => MoveQuarantined(c, tx, deviceId, SqliteTime.Format(_time.GetUtcNow())), ct).ConfigureAwait(false);
        SqliteStoreLog.QuarantineReleased(_log, moved);
        return moved;
    }

    public Task<IReadOnlyList<RejectedMessage>> ListRejectedAsync(int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return ReadAsync(c =>
        {
            using var cmd = Command(c, null, "SELECT id, received_at, origin, reason, payload FROM rejected ORDER BY id DESC LIMIT $n", ("$n", limit));
            using var r = cmd.ExecuteReader();
            var list = new List<RejectedMessage>();
            while (r.Read())
            {
                list.Add(new RejectedMessage(r.GetInt64(0), SqliteTime.Parse(r.GetString(1)), r.GetString(2), r.GetString(3), (byte[])r.GetValue(4)));
            }
            return (IReadOnlyList<RejectedMessage>)list;
        }, ct);
    }

    /// <summary>
    /// Moves quarantined readings of currently bound devices into the outbox under their device's patient, due at
    /// <paramref name="now"/>. Runs inside the caller's write transaction.
    /// </summary>
    private static int MoveQuarantined(SqliteConnection c, SqliteTransaction tx, string? deviceId, string now)
    {
        var deviceFilter = deviceId is null ? "" : "AND r.device_id = $d";
        Execute(c, tx, $"""
            INSERT INTO outbox (reading_id, effective_time, attempts, next_attempt_at, enqueued_at)
            SELECT r.id, r.effective_time, 0, $now, $now
            FROM readings r
            JOIN bindings b ON b.device_id = r.device_id AND b.unbound_at IS NULL
            WHERE r.state = 'quarantined' {deviceFilter}
            ORDER BY r.id
            """, ("$d", deviceId), ("$now", now));
        return Execute(c, tx, $"""
            UPDATE readings AS r
            SET state = 'queued', patient = b.patient
            FROM bindings b
            WHERE b.device_id = r.device_id AND b.unbound_at IS NULL AND r.state = 'quarantined' {deviceFilter}
            """, ("$d", deviceId));
    }

    // ------------------------------------------------------------------ outbox

    /// <remarks>
    /// Per-device order (issue 4): a device's entries go out in effective-time order, one request at a time. So an
    /// entry is due only when no entry of its device is in flight and no earlier entry of its device is waiting for a
    /// retry: the head of a device's queue goes first. A transient failure therefore holds the readings behind it
    /// (order over progress; such failures are about the server, which the others would meet too), while a permanent
    /// refusal moves the entry to the dead letters and frees the device at once.
    /// </remarks>
    public Task<IReadOnlyList<OutboxEntry>> GetDueAsync(DateTimeOffset now, int max, IReadOnlySet<long> inFlight, CancellationToken ct) =>
        GetDueAsync(now, max, inFlight, headsOnly: false, ct);

    /// <summary>
    /// As <see cref="GetDueAsync(DateTimeOffset, int, IReadOnlySet{long}, CancellationToken)"/>; with
    /// <paramref name="headsOnly"/> at most one entry per device (its queue's head), for senders that send one reading
    /// per request, so that <paramref name="max"/> entries are <paramref name="max"/> requests.
    /// </summary>
    public Task<IReadOnlyList<OutboxEntry>> GetDueAsync(DateTimeOffset now, int max, IReadOnlySet<long> inFlight, bool headsOnly, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        ArgumentNullException.ThrowIfNull(inFlight);
        return ReadAsync(c =>
        {
            // Devices with an entry in flight are looked up once (json_each over the ids); the NOT EXISTS probes the
            // device's queued readings before this one (ix_readings_queued_device) for one not due yet, or, heads
            // only, for any.
            using var cmd = Command(c, null, """
                SELECT o.id, o.reading_id, o.attempts, o.enqueued_at, r.reading_json, r.patient, r.origin, r.payload
                FROM outbox o
                JOIN readings r ON r.id = o.reading_id
                WHERE o.next_attempt_at <= $now
                  AND r.device_id NOT IN (
                      SELECT fr.device_id FROM outbox fo JOIN readings fr ON fr.id = fo.reading_id
                      WHERE fo.id IN (SELECT value FROM json_each($inflight)))
                  AND NOT EXISTS (
                      SELECT 1 FROM readings q JOIN outbox qo ON qo.reading_id = q.id
                      WHERE q.state = 'queued' AND q.device_id = r.device_id
                        AND (q.effective_time < o.effective_time OR (q.effective_time = o.effective_time AND qo.id < o.id))
                        AND ($heads OR qo.next_attempt_at > $now))
                ORDER BY o.effective_time, o.id
                LIMIT $n
                """, ("$now", SqliteTime.Format(now)), ("$n", (long)max), ("$heads", headsOnly ? 1L : 0L),
                ("$inflight", "[" + string.Join(',', inFlight.Select(id => id.ToString(CultureInfo.InvariantCulture))) + "]"));
            using var r = cmd.ExecuteReader();
            var list = new List<OutboxEntry>(Math.Min(max, 1024));
            while (r.Read())
            {
                var id = r.GetInt64(0);
                if (inFlight.Contains(id))
                {
                    continue;
                }
                list.Add(new OutboxEntry(
                    id,
                    r.GetInt64(1),
                    ReadingJson.Deserialize(r.GetString(4)),
                    PatientId.Parse(r.GetString(5)),
                    r.GetInt32(2),
                    SqliteTime.Parse(r.GetString(3)),
                    r.GetString(6),
                    (byte[])r.GetValue(7)));
            }
            return (IReadOnlyList<OutboxEntry>)list;
        }, ct);
    }

    public Task<DateTimeOffset?> GetNextDueAsync(CancellationToken ct) => ReadAsync(c =>
        Scalar(c, null, "SELECT min(next_attempt_at) FROM outbox") is string text ? SqliteTime.Parse(text) : (DateTimeOffset?)null, ct);

    public Task MarkDeliveredAsync(long outboxId, DateTimeOffset at, string? serverIds, CancellationToken ct) => WriteAsync((c, tx) =>
    {
        var readingId = Scalar(c, tx, "DELETE FROM outbox WHERE id = $id RETURNING reading_id", ("$id", outboxId)) as long?
            ?? throw MissingOutboxEntry(outboxId);
        Execute(c, tx, "UPDATE readings SET state = 'delivered', delivered_at = $at, server_ids = $ids WHERE id = $r",
            ("$r", readingId), ("$at", SqliteTime.Format(at)), ("$ids", serverIds));
        Execute(c, tx, "UPDATE counters SET value = value + 1 WHERE name = 'delivered'");
        return true;
    }, ct);

    public Task MarkDeliveredAsync(IReadOnlyList<DeliveredEntry> entries, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return WriteAsync((c, tx) =>
        {
            using var delete = Command(c, tx, "DELETE FROM outbox WHERE id = $id RETURNING reading_id", ("$id", 0L));
            using var update = Command(c, tx, "UPDATE readings SET state = 'delivered', delivered_at = $at, server_ids = $ids WHERE id = $r",
                ("$r", 0L), ("$at", SqliteTime.Format(at)), ("$ids", null));
            foreach (var entry in entries)
            {
                delete.Parameters["$id"].Value = entry.OutboxId;
                var readingId = delete.ExecuteScalar() as long? ?? throw MissingOutboxEntry(entry.OutboxId);
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
        return WriteAsync((c, tx) =>
        {
            var changed = Execute(c, tx, """
                UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $next, last_error = $error WHERE id = $id
                """, ("$id", outboxId), ("$next", SqliteTime.Format(nextAttemptAt)), ("$error", lastError));
            return changed == 1 ? true : throw MissingOutboxEntry(outboxId);
        }, ct);
    }

    /// <remarks>The attempt that failed for good counts: the dead letter's attempts are the outbox entry's plus one.</remarks>
    public async Task DeadLetterAsync(long outboxId, DeadLetterReason reason, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var (readingId, attempts) = await WriteAsync((c, tx) =>
        {
            using var delete = Command(c, tx, "DELETE FROM outbox WHERE id = $id RETURNING reading_id, attempts", ("$id", outboxId));
            long reading;
            int failed;
            using (var r = delete.ExecuteReader())
            {
                if (!r.Read())
                {
                    throw MissingOutboxEntry(outboxId);
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
        SqliteStoreLog.DeadLettered(_log, outboxId, readingId, attempts, reason.HttpStatus);
    }

    public Task<OutboxStatus> GetOutboxStatusAsync(CancellationToken ct) => ReadAsync(c =>
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
            """, ("$now", SqliteTime.Format(_time.GetUtcNow())));
        using var r = cmd.ExecuteReader();
        r.Read();
        return new OutboxStatus(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), OptionalTime(r, 7));
    }, ct);

    public Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return ReadAsync(c =>
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
                    ReadingJson.Deserialize(r.GetString(4)),
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

    public async Task<int> ReplayDeadLettersAsync(long? deadLetterId, CancellationToken ct)
    {
        var count = await WriteAsync((c, tx) =>
        {
            var filter = deadLetterId is null ? "" : "WHERE d.id = $id";
            var now = SqliteTime.Format(_time.GetUtcNow());
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
        SqliteStoreLog.DeadLettersReplayed(_log, count);
        return count;
    }

    /// <remarks>The readings stay, in state 'dead': their identities keep recognising resends.</remarks>
    public async Task<int> PurgeDeadLettersAsync(long? deadLetterId, CancellationToken ct)
    {
        var count = await WriteAsync((c, tx) => deadLetterId is null
            ? Execute(c, tx, "DELETE FROM dead_letters")
            : Execute(c, tx, "DELETE FROM dead_letters WHERE id = $id", ("$id", deadLetterId)), ct).ConfigureAwait(false);
        SqliteStoreLog.DeadLettersPurged(_log, count);
        return count;
    }

    // ------------------------------------------------------------------ single-post ledger

    public Task<IReadOnlyDictionary<string, LedgerEntry>> GetLedgerAsync(IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return ReadAsync(c =>
        {
            using var cmd = Command(c, null, """
                SELECT resource_key, state, server_id, updated_at FROM delivery_ledger
                WHERE resource_key IN (SELECT value FROM json_each($keys))
                """, ("$keys", JsonArray(keys)));
            using var r = cmd.ExecuteReader();
            var found = new Dictionary<string, LedgerEntry>(StringComparer.Ordinal);
            while (r.Read())
            {
                var key = r.GetString(0);
                found[key] = new LedgerEntry(key, r.GetString(1) == "acknowledged", r.IsDBNull(2) ? null : r.GetString(2), SqliteTime.Parse(r.GetString(3)));
            }
            return (IReadOnlyDictionary<string, LedgerEntry>)found;
        }, ct);
    }

    public Task RecordSendingAsync(IReadOnlyCollection<string> keys, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return WriteAsync((c, tx) =>
        {
            foreach (var key in keys)
            {
                Execute(c, tx, """
                    INSERT INTO delivery_ledger (resource_key, state, server_id, updated_at) VALUES ($k, 'sending', NULL, $at)
                    ON CONFLICT (resource_key) DO UPDATE SET updated_at = excluded.updated_at WHERE state = 'sending'
                    """, ("$k", key), ("$at", SqliteTime.Format(at)));
            }
            return true;
        }, ct);
    }

    public Task RecordAcknowledgedAsync(string key, string? serverId, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return WriteAsync((c, tx) => Execute(c, tx, """
            INSERT INTO delivery_ledger (resource_key, state, server_id, updated_at) VALUES ($k, 'acknowledged', $id, $at)
            ON CONFLICT (resource_key) DO UPDATE SET state = 'acknowledged', server_id = excluded.server_id, updated_at = excluded.updated_at
            """, ("$k", key), ("$id", serverId), ("$at", SqliteTime.Format(at))), ct);
    }

    public Task ForgetSendingAsync(string key, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return WriteAsync((c, tx) => Execute(c, tx, "DELETE FROM delivery_ledger WHERE resource_key = $k AND state = 'sending'", ("$k", key)), ct);
    }

    // ------------------------------------------------------------------ plumbing

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        // Wait for a running write to finish rather than closing the connection under it.
        _writeLock.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _commit?.Dispose();
            _writer?.Dispose();
            // Pooled reader handles would keep the file (and its -wal/-shm) open after the store is gone.
            using var pooled = new SqliteConnection(_readerConnectionString);
            SqliteConnection.ClearPool(pooled);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var writer = _writer ?? throw NotInitialized();
            // BEGIN IMMEDIATE: take the write lock up front, so that a transaction that reads (a binding) and then
            // writes can never fail half-way because another process wrote in between.
            using var tx = writer.BeginTransaction(deferred: false);
            var result = work(writer, tx);
            tx.Commit();
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private Task<T> ReadAsync<T>(Func<SqliteConnection, T> work, CancellationToken ct)
    {
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ct.ThrowIfCancellationRequested();
            if (!_initialized)
            {
                throw NotInitialized();
            }
            using var connection = new SqliteConnection(_readerConnectionString);
            connection.Open();
            Pragma(connection, $"busy_timeout = {_busyTimeoutMs}");
            return Task.FromResult(work(connection));
        }
        catch (OperationCanceledException e)
        {
            return Task.FromCanceled<T>(e.CancellationToken.IsCancellationRequested ? e.CancellationToken : ct);
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    private InvalidOperationException NotInitialized() =>
        new($"The store at {DatabasePath} is not initialised; call {nameof(InitializeAsync)} first.");

    private static InvalidOperationException MissingOutboxEntry(long outboxId) =>
        new($"Outbox entry {outboxId} does not exist (already delivered, dead-lettered, or never created).");

    private static DateTimeOffset? OptionalTime(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : SqliteTime.Parse(reader.GetString(ordinal));

    /// <summary>A JSON array of strings, for <c>json_each</c>: one parameter instead of one per key.</summary>
    private static string JsonArray(IEnumerable<string> values)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var value in values)
                json.WriteStringValue(value);
            json.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Pragma(SqliteConnection connection, string pragma)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA " + pragma;
        cmd.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? tx, string sql, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return cmd;
    }

    private static int Execute(SqliteConnection connection, SqliteTransaction? tx, string sql, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        using var cmd = Command(connection, tx, sql, args);
        return cmd.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, SqliteTransaction? tx, string sql, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        using var cmd = Command(connection, tx, sql, args);
        var value = cmd.ExecuteScalar();
        return value is DBNull ? null : value;
    }
}
