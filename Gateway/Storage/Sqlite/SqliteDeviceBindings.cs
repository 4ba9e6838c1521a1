using Microsoft.Data.Sqlite;
using Vitals.Gateway.Patients;
using static Vitals.Gateway.Storage.Sqlite.Sql;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary><see cref="IDeviceBindings"/>: the <c>devices</c> and <c>bindings</c> tables (one row per slot and validity).</summary>
public sealed class SqliteDeviceBindings(SqliteDatabase db) : IDeviceBindings
{
    private const string BindingColumns = "id, device_id, user_index, patient, bound_at, unbound_at";

    public async Task<int> BindAsync(string deviceId, int? user, PatientId patient, DateTimeOffset from, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentNullException.ThrowIfNull(patient);
        var moved = await db.WriteAsync((c, tx) =>
        {
            var plan = BindingPlan.For(ReadBindings(c, tx, "device_id = $d AND user_index IS $u", ("$d", deviceId), ("$u", user)), patient, from);
            var fromText = SqliteTime.Format(from);
            if (plan.Close is { } close)
            {
                Execute(c, tx, "UPDATE bindings SET unbound_at = $at WHERE id = $id", ("$id", close.Id), ("$at", fromText));
            }
            if (plan.Extend is { } extend)
            {
                Execute(c, tx, "UPDATE bindings SET bound_at = $at WHERE id = $id", ("$id", extend.Id), ("$at", fromText));
            }
            if (plan.Insert)
            {
                Execute(c, tx, "INSERT INTO bindings (device_id, user_index, patient, bound_at) VALUES ($d, $u, $p, $at)",
                    ("$d", deviceId), ("$u", user), ("$p", patient.Text), ("$at", fromText));
            }
            Execute(c, tx, "INSERT INTO devices (device_id) VALUES ($d) ON CONFLICT (device_id) DO NOTHING", ("$d", deviceId));
            var current = (long)Scalar(c, tx, "SELECT id FROM bindings WHERE device_id = $d AND user_index IS $u AND unbound_at IS NULL",
                ("$d", deviceId), ("$u", user))!;
            return SqliteQuarantine.MoveQuarantined(c, tx, deviceId, current, SqliteTime.Format(db.Time.GetUtcNow()));
        }, ct).ConfigureAwait(false);
        StoreLog.SlotBound(db.Log, deviceId, BindingConflictException.SlotText(user), from, moved);
        StoreLog.SlotBoundTo(db.Log, deviceId, BindingConflictException.SlotText(user), patient.Text);
        return moved;
    }

    public Task<bool> UnbindAsync(string deviceId, int? user, DateTimeOffset at, CancellationToken ct) =>
        EndAsync(deviceId, user, user is null, at, ct);

    public Task<bool> UnbindSlotAsync(string deviceId, int? user, DateTimeOffset at, CancellationToken ct) =>
        EndAsync(deviceId, user, false, at, ct);

    private async Task<bool> EndAsync(string deviceId, int? user, bool everySlot, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        // A period never ends before it starts: unbinding a binding that starts later leaves it empty.
        var ended = await db.WriteAsync((c, tx) =>
            Execute(c, tx, """
                UPDATE bindings SET unbound_at = CASE WHEN bound_at > $at THEN bound_at ELSE $at END
                WHERE device_id = $d AND unbound_at IS NULL AND ($all OR user_index IS $u)
                """,
                ("$d", deviceId), ("$u", user), ("$all", everySlot), ("$at", SqliteTime.Format(at))) > 0, ct).ConfigureAwait(false);
        if (ended)
        {
            StoreLog.SlotUnbound(db.Log, deviceId, everySlot ? "(every slot)" : BindingConflictException.SlotText(user));
        }
        return ended;
    }

    public Task<IReadOnlyList<DeviceSummary>> ListDevicesAsync(string? deviceId, CancellationToken ct) => db.ReadAsync(c =>
    {
        // Slots: bound now, or holding quarantined readings; a device with neither shows its slot without user index.
        using var cmd = Command(c, null, """
            WITH used AS (
                SELECT device_id, user_index FROM bindings WHERE unbound_at IS NULL AND ($d IS NULL OR device_id = $d)
                UNION
                SELECT device_id, user_index FROM readings WHERE state = 'quarantined' AND ($d IS NULL OR device_id = $d)
            ),
            slots AS (
                SELECT device_id, user_index FROM used
                UNION
                SELECT device_id, NULL FROM devices
                WHERE ($d IS NULL OR device_id = $d) AND device_id NOT IN (SELECT device_id FROM used)
            )
            SELECT s.device_id, s.user_index, b.patient, b.bound_at, d.last_seen, coalesce(d.readings, 0),
                   (SELECT count(*) FROM readings q
                    WHERE q.device_id = s.device_id AND q.user_index IS s.user_index AND q.state = 'quarantined')
            FROM slots s
            LEFT JOIN devices d ON d.device_id = s.device_id
            LEFT JOIN bindings b ON b.device_id = s.device_id AND b.user_index IS s.user_index AND b.unbound_at IS NULL
            ORDER BY s.device_id, s.user_index
            """, ("$d", deviceId));
        using var r = cmd.ExecuteReader();
        var list = new List<DeviceSummary>();
        while (r.Read())
        {
            list.Add(new DeviceSummary(
                r.GetString(0),
                r.IsDBNull(1) ? null : r.GetInt32(1),
                r.IsDBNull(2) ? null : PatientId.Parse(r.GetString(2)),
                OptionalTime(r, 3),
                OptionalTime(r, 4),
                r.GetInt64(5),
                r.GetInt64(6)));
        }
        return (IReadOnlyList<DeviceSummary>)list;
    }, ct);

    public Task<IReadOnlyList<string>> ListBoundDeviceIdsAsync(CancellationToken ct) => db.ReadAsync(c =>
    {
        using var cmd = Command(c, null, "SELECT DISTINCT device_id FROM bindings WHERE unbound_at IS NULL ORDER BY device_id");
        using var r = cmd.ExecuteReader();
        var ids = new List<string>();
        while (r.Read())
        {
            ids.Add(r.GetString(0));
        }
        return (IReadOnlyList<string>)ids;
    }, ct);

    public Task<IReadOnlyList<BindingRecord>> ListBindingsAsync(string? deviceId, CancellationToken ct) =>
        db.ReadAsync(c => ReadBindings(c, null, "$d IS NULL OR device_id = $d", ("$d", deviceId)), ct);

    private static IReadOnlyList<BindingRecord> ReadBindings(SqliteConnection c, SqliteTransaction? tx, string where,
        params ReadOnlySpan<(string Name, object? Value)> args)
    {
        using var cmd = Command(c, tx, $"SELECT {BindingColumns} FROM bindings WHERE {where} ORDER BY device_id, user_index, bound_at, id", args);
        using var r = cmd.ExecuteReader();
        var list = new List<BindingRecord>();
        while (r.Read())
        {
            list.Add(new BindingRecord(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt32(2), PatientId.Parse(r.GetString(3)),
                SqliteTime.Parse(r.GetString(4)), OptionalTime(r, 5)));
        }
        return list;
    }
}
