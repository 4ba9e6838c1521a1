using Microsoft.Data.Sqlite;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary>
/// The statements of the ingest hot path, compiled once on the writer connection and reused for every batch
/// (Microsoft.Data.Sqlite keeps a command's prepared statement while its text is unchanged). Used only under the
/// store's write lock.
/// </summary>
internal sealed class SqliteCommitCommands : IDisposable
{
    private readonly SqliteCommand _findPatient;
    private readonly SqliteCommand _insertReading;
    private readonly SqliteCommand _insertOutbox;
    private readonly SqliteCommand _insertRejected;
    private readonly SqliteCommand _touchDevice;
    private readonly SqliteCommand _addToCounter;

    public SqliteCommitCommands(SqliteConnection writer)
    {
        _findPatient = Create(writer,
            "SELECT patient FROM bindings WHERE device_id = $device AND unbound_at IS NULL",
            "$device");
        // ON CONFLICT names the identity key: a resend is skipped, while any other constraint failure still throws.
        _insertReading = Create(writer, """
            INSERT INTO readings (identity_key, device_id, kind, effective_time, received_at, origin, payload,
                                  reading_json, patient, state)
            VALUES ($key, $device, $kind, $effective, $received, $origin, $payload, $json, $patient, $state)
            ON CONFLICT (identity_key) DO NOTHING
            RETURNING id
            """,
            "$key", "$device", "$kind", "$effective", "$received", "$origin", "$payload", "$json", "$patient", "$state");
        _insertOutbox = Create(writer, """
            INSERT INTO outbox (reading_id, effective_time, attempts, next_attempt_at, enqueued_at)
            VALUES ($reading, $effective, 0, $now, $now)
            """,
            "$reading", "$effective", "$now");
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
        _findPatient.Transaction = transaction;
        _insertReading.Transaction = transaction;
        _insertOutbox.Transaction = transaction;
        _insertRejected.Transaction = transaction;
        _touchDevice.Transaction = transaction;
        _addToCounter.Transaction = transaction;
    }

    public string? FindPatient(string deviceId)
    {
        _findPatient.Parameters[0].Value = deviceId;
        return _findPatient.ExecuteScalar() as string;
    }

    /// <summary>Stores the reading; null when a reading with the same identity key is already stored.</summary>
    public long? InsertReading(CommitRow row, string? patient, string state)
    {
        var p = _insertReading.Parameters;
        p[0].Value = row.IdentityKey;
        p[1].Value = row.DeviceId;
        p[2].Value = row.Kind;
        p[3].Value = row.EffectiveTime;
        p[4].Value = row.ReceivedAtText;
        p[5].Value = row.Origin;
        p[6].Value = row.Payload;
        p[7].Value = row.ReadingJson;
        p[8].Value = (object?)patient ?? DBNull.Value;
        p[9].Value = state;
        return _insertReading.ExecuteScalar() is long id ? id : null;
    }

    public void InsertOutbox(long readingId, string effectiveTime, string now)
    {
        var p = _insertOutbox.Parameters;
        p[0].Value = readingId;
        p[1].Value = effectiveTime;
        p[2].Value = now;
        _insertOutbox.ExecuteNonQuery();
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
        _findPatient.Dispose();
        _insertReading.Dispose();
        _insertOutbox.Dispose();
        _insertRejected.Dispose();
        _touchDevice.Dispose();
        _addToCounter.Dispose();
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
