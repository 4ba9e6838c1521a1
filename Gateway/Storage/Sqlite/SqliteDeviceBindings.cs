using System.Globalization;
using Microsoft.Data.Sqlite;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using static Vitals.Gateway.Storage.Sqlite.Sql;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary><see cref="IDeviceBindings"/>: the <c>devices</c> and <c>bindings</c> tables.</summary>
public sealed class SqliteDeviceBindings(SqliteDatabase db) : IDeviceBindings
{
    /// <remarks>Binding a device again to the patient it is already bound to keeps the current binding (no new history entry).</remarks>
    public async Task<int> BindAsync(string deviceId, PatientId patient, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentNullException.ThrowIfNull(patient);
        var moved = await db.WriteAsync((c, tx) =>
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
            return SqliteQuarantine.MoveQuarantined(c, tx, deviceId, atText);
        }, ct).ConfigureAwait(false);
        StoreLog.DeviceBound(db.Log, deviceId, moved);
        StoreLog.DeviceBoundTo(db.Log, deviceId, patient.Text);
        return moved;
    }

    public async Task<bool> UnbindAsync(string deviceId, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        var ended = await db.WriteAsync((c, tx) =>
            Execute(c, tx, "UPDATE bindings SET unbound_at = $at WHERE device_id = $d AND unbound_at IS NULL",
                ("$d", deviceId), ("$at", SqliteTime.Format(at))) > 0, ct).ConfigureAwait(false);
        if (ended)
        {
            StoreLog.DeviceUnbound(db.Log, deviceId);
        }
        return ended;
    }

    public Task<IReadOnlyList<DeviceSummary>> ListDevicesAsync(CancellationToken ct) => db.ReadAsync(c =>
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

    public Task<IReadOnlyList<string>> ListBoundDeviceIdsAsync(CancellationToken ct) => db.ReadAsync(c =>
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

    public Task<IReadOnlyList<BindingRecord>> ListBindingsAsync(string? deviceId, CancellationToken ct) => db.ReadAsync(c =>
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
}
