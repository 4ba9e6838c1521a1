using Microsoft.Data.Sqlite;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary>
/// The statements of the ingest hot path, compiled once on the writer connection and reused for every batch
/// (Microsoft.Data.Sqlite keeps a command's prepared statement while its text is unchanged; the two every reading runs
/// are <see cref="RawStatement"/>s). Used only under the store's write lock.
/// </summary>
/// <remarks>
/// The slots' bindings are cached across batches: a fleet's batch touches hundreds of slots, and their bindings change
/// about never. The cache is dropped when they may have changed: a change through this connection bumps a counter in a
/// TEMP trigger on <c>bindings</c> (so every writer in this process is covered, whatever its code path), and a commit by
/// any other connection (the CLI's <c>devices bind</c>, another process) changes <c>PRAGMA data_version</c> (SQLite
/// "PRAGMA data_version": it changes when another connection commits). Both are read at the first look-up of each
/// transaction, which holds the write lock (BEGIN IMMEDIATE), so nothing can change a binding between that check and
/// the commit.
/// </remarks>
internal sealed class SqliteCommitCommands : IDisposable
{
    // A bound on the cache (slots); past it the cache starts again empty rather than grow with a fleet's history.
    private const int MaxCachedSlots = 65_536;

    private readonly Dictionary<(string DeviceId, int? User), SlotBindings> _slots = new();
    private readonly SqliteCommand _bindingsVersion;
    private (long Epoch, long DataVersion)? _cachedVersion;
    private bool _versionChecked;
    private readonly SqliteCommand _findBindings;
    private readonly RawStatement _insertReading;
    private readonly InsertReadingParameters _reading;
    private readonly RawStatement _insertOutbox;
    private readonly (int Reading, int Effective, int Now) _outbox;
    private readonly SqliteCommand _insertRejected;
    private readonly SqliteCommand _touchDevice;
    private readonly SqliteCommand _addToCounter;

    public SqliteCommitCommands(SqliteConnection writer)
    {
        Sql.Execute(writer, null, """
            CREATE TEMP TABLE IF NOT EXISTS binding_epoch (n INTEGER NOT NULL);
            INSERT INTO binding_epoch (n) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM binding_epoch);
            CREATE TEMP TRIGGER IF NOT EXISTS binding_inserted AFTER INSERT ON main.bindings BEGIN UPDATE binding_epoch SET n = n + 1; END;
            CREATE TEMP TRIGGER IF NOT EXISTS binding_updated AFTER UPDATE ON main.bindings BEGIN UPDATE binding_epoch SET n = n + 1; END;
            CREATE TEMP TRIGGER IF NOT EXISTS binding_deleted AFTER DELETE ON main.bindings BEGIN UPDATE binding_epoch SET n = n + 1; END;
            """);
        _bindingsVersion = Create(writer, "SELECT (SELECT n FROM temp.binding_epoch), (SELECT data_version FROM pragma_data_version)");
        // A slot's whole history: a handful of rows (one per reassignment), read once per slot and batch.
        _findBindings = Create(writer,
            "SELECT patient, bound_at, unbound_at FROM bindings WHERE device_id = $device AND user_index IS $user",
            "$device", "$user");
        // ON CONFLICT names the identity key: a resend is skipped, while any other constraint failure still throws.
        _insertReading = new RawStatement(writer, """
            INSERT INTO readings (identity_key, device_id, kind, effective_time, received_at, origin, payload,
                                  reading_json, patient, state, user_index)
            VALUES ($key, $device, $kind, $effective, $received, $origin, $payload, $json, $patient, $state, $user)
            ON CONFLICT (identity_key) DO NOTHING
            RETURNING id
            """);
        _reading = new InsertReadingParameters(_insertReading);
        _insertOutbox = new RawStatement(writer, """
            INSERT INTO outbox (reading_id, effective_time, attempts, next_attempt_at, enqueued_at)
            VALUES ($reading, $effective, 0, $now, $now)
            """);
        _outbox = (_insertOutbox.Index("$reading"), _insertOutbox.Index("$effective"), _insertOutbox.Index("$now"));
        _insertRejected = Create(writer, """
            INSERT INTO rejected (received_at, origin, reason, payload)
            VALUES ($received, $origin, $reason, $payload)
            """,
            "$received", "$origin", "$reason", "$payload");
        _touchDevice = Create(writer, """
            INSERT INTO devices (device_id, first_seen, last_seen, readings) VALUES ($device, $seen, $seen, $count)
            ON CONFLICT (device_id) DO UPDATE SET
                first_seen = coalesce(first_seen, excluded.first_seen),
                last_seen = CASE WHEN last_seen IS NULL OR excluded.last_seen > last_seen THEN excluded.last_seen ELSE last_seen END,
                readings = readings + excluded.readings
            """,
            "$device", "$seen", "$count");
        _addToCounter = Create(writer, "UPDATE counters SET value = value + $n WHERE name = $name", "$n", "$name");
    }

    public void Enlist(SqliteTransaction transaction)
    {
        _versionChecked = false;
        _bindingsVersion.Transaction = transaction;
        _findBindings.Transaction = transaction;
        _insertRejected.Transaction = transaction;
        _touchDevice.Transaction = transaction;
        _addToCounter.Transaction = transaction;
    }

    /// <summary>Every binding of the slot (<paramref name="deviceId"/>, <paramref name="user"/>), as stored text.</summary>
    public SlotBindings FindBindings(string deviceId, int? user)
    {
        if (!_versionChecked)
        {
            DropCacheIfBindingsChanged();
        }
        if (_slots.TryGetValue((deviceId, user), out var cached))
        {
            return cached;
        }
        if (_slots.Count >= MaxCachedSlots)
        {
            _slots.Clear();
        }
        var slot = ReadBindings(deviceId, user);
        _slots[(deviceId, user)] = slot;
        return slot;
    }

    private void DropCacheIfBindingsChanged()
    {
        long epoch, dataVersion;
        using (var r = _bindingsVersion.ExecuteReader())
        {
            r.Read();
            epoch = r.GetInt64(0);
            dataVersion = r.GetInt64(1);
        }
        if (_cachedVersion != (epoch, dataVersion))
        {
            _slots.Clear();
            _cachedVersion = (epoch, dataVersion);
        }
        _versionChecked = true;
    }

    private SlotBindings ReadBindings(string deviceId, int? user)
    {
        _findBindings.Parameters[0].Value = deviceId;
        _findBindings.Parameters[1].Value = (object?)user ?? DBNull.Value;
        using var r = _findBindings.ExecuteReader();
        var periods = new List<(string Patient, string From, string? To)>();
        while (r.Read())
        {
            periods.Add((r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2)));
        }
        return new SlotBindings(periods);
    }

    /// <summary>Stores the reading; null when a reading with the same identity key is already stored.</summary>
    public long? InsertReading(CommitRow row, string? patient, string state)
    {
        var (s, p) = (_insertReading, _reading);
        s.Text(p.Key, row.IdentityKey);
        s.Text(p.Device, row.DeviceId);
        s.Text(p.Kind, row.Kind);
        s.Text(p.Effective, row.EffectiveTime);
        s.Text(p.Received, row.ReceivedAtText);
        s.Text(p.Origin, row.Origin);
        s.Blob(p.Payload, row.Payload);
        s.Text(p.Json, row.ReadingJson);
        s.Text(p.Patient, patient);
        s.Text(p.State, state);
        s.Integer(p.User, row.UserIndex);
        return s.Run();
    }

    public void InsertOutbox(long readingId, string effectiveTime, string now)
    {
        _insertOutbox.Integer(_outbox.Reading, readingId);
        _insertOutbox.Text(_outbox.Effective, effectiveTime);
        _insertOutbox.Text(_outbox.Now, now);
        _insertOutbox.Run();
    }

    public void InsertRejected(CommitRow row)
    {
        var p = _insertRejected.Parameters;
        p[0].Value = row.ReceivedAtText;
        p[1].Value = row.Origin;
        p[2].Value = row.RejectReason;
        p[3].Value = row.Payload;
        _insertRejected.ExecuteNonQuery();
    }

    public void TouchDevice(string deviceId, string lastSeen, long newReadings)
    {
        var p = _touchDevice.Parameters;
        p[0].Value = deviceId;
        p[1].Value = lastSeen;
        p[2].Value = newReadings;
        _touchDevice.ExecuteNonQuery();
    }

    public void AddToCounter(string name, long amount)
    {
        _addToCounter.Parameters[0].Value = amount;
        _addToCounter.Parameters[1].Value = name;
        _addToCounter.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _bindingsVersion.Dispose();
        _findBindings.Dispose();
        _insertReading.Dispose();
        _insertOutbox.Dispose();
        _insertRejected.Dispose();
        _touchDevice.Dispose();
        _addToCounter.Dispose();
    }

    /// <summary>The readings insert's parameter indices, looked up once.</summary>
    private sealed class InsertReadingParameters(RawStatement s)
    {
        public int Key { get; } = s.Index("$key");
        public int Device { get; } = s.Index("$device");
        public int Kind { get; } = s.Index("$kind");
        public int Effective { get; } = s.Index("$effective");
        public int Received { get; } = s.Index("$received");
        public int Origin { get; } = s.Index("$origin");
        public int Payload { get; } = s.Index("$payload");
        public int Json { get; } = s.Index("$json");
        public int Patient { get; } = s.Index("$patient");
        public int State { get; } = s.Index("$state");
        public int User { get; } = s.Index("$user");
    }

    private static SqliteCommand Create(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name, Value = DBNull.Value });
        }
        return command;
    }
}
