using Vitals.Gateway.Patients;
using static Vitals.Gateway.Storage.Postgres.PostgresDatabase;

namespace Vitals.Gateway.Storage.Postgres;

/// <summary><see cref="IDeviceBindings"/>: the <c>devices</c> and <c>bindings</c> tables.</summary>
public sealed class PostgresDeviceBindings(PostgresDatabase db) : IDeviceBindings
{
    /// <remarks>
    /// Binding a device again to the patient it is already bound to keeps the current binding (no new history entry).
    /// The device's row is locked first, as the ingest commit does, so a batch committing readings of this device at
    /// the same moment either sees the binding or has its quarantined readings moved by it.
    /// </remarks>
    public async Task<int> BindAsync(string deviceId, PatientId patient, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentNullException.ThrowIfNull(patient);
        var moved = await db.WriteAsync(async (c, tx) =>
        {
            await ExecuteAsync(c, tx, """
                INSERT INTO devices (device_id) VALUES (@d) ON CONFLICT (device_id) DO UPDATE SET device_id = excluded.device_id
                """, ct, ("d", deviceId)).ConfigureAwait(false);
            var current = await ScalarAsync(c, tx, "SELECT patient FROM bindings WHERE device_id = @d AND unbound_at IS NULL", ct, ("d", deviceId))
                .ConfigureAwait(false) as string;
            if (current != patient.Text)
            {
                await ExecuteAsync(c, tx, "UPDATE bindings SET unbound_at = @at WHERE device_id = @d AND unbound_at IS NULL", ct,
                    ("d", deviceId), ("at", PgTime.Utc(at))).ConfigureAwait(false);
                await ExecuteAsync(c, tx, "INSERT INTO bindings (device_id, patient, bound_at) VALUES (@d, @p, @at)", ct,
                    ("d", deviceId), ("p", patient.Text), ("at", PgTime.Utc(at))).ConfigureAwait(false);
            }
            return await PostgresQuarantine.MoveQuarantinedAsync(c, tx, deviceId, PgTime.Utc(at), ct).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
        StoreLog.DeviceBound(db.Log, deviceId, moved);
        StoreLog.DeviceBoundTo(db.Log, deviceId, patient.Text);
        return moved;
    }

    public async Task<bool> UnbindAsync(string deviceId, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        var ended = await db.WriteAsync(async (c, tx) =>
        {
            // The device's lock, as for a bind: a batch in flight sees the device either bound or not, not half of each.
            await ExecuteAsync(c, tx, "SELECT 1 FROM devices WHERE device_id = @d FOR UPDATE", ct, ("d", deviceId)).ConfigureAwait(false);
            return await ExecuteAsync(c, tx, "UPDATE bindings SET unbound_at = @at WHERE device_id = @d AND unbound_at IS NULL", ct,
                ("d", deviceId), ("at", PgTime.Utc(at))).ConfigureAwait(false) > 0;
        }, ct).ConfigureAwait(false);
        if (ended)
        {
            StoreLog.DeviceUnbound(db.Log, deviceId);
        }
        return ended;
    }

    public Task<IReadOnlyList<DeviceSummary>> ListDevicesAsync(CancellationToken ct) => db.ReadAsync<IReadOnlyList<DeviceSummary>>(async c =>
    {
        await using var cmd = Command(c, null, """
            SELECT d.device_id, b.patient, b.bound_at, d.last_seen, d.readings,
                   (SELECT count(*) FROM readings q WHERE q.device_id = d.device_id AND q.state = 'quarantined')
            FROM devices d
            LEFT JOIN bindings b ON b.device_id = d.device_id AND b.unbound_at IS NULL
            ORDER BY d.device_id COLLATE "C"
            """);
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var list = new List<DeviceSummary>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            list.Add(new DeviceSummary(
                r.GetString(0),
                r.IsDBNull(1) ? null : PatientId.Parse(r.GetString(1)),
                PgTime.ReadOptional(r, 2),
                PgTime.ReadOptional(r, 3),
                r.GetInt64(4),
                r.GetInt64(5)));
        }
        return list;
    }, ct);

    public Task<IReadOnlyList<string>> ListBoundDeviceIdsAsync(CancellationToken ct) => db.ReadAsync<IReadOnlyList<string>>(async c =>
    {
        await using var cmd = Command(c, null, "SELECT device_id FROM bindings WHERE unbound_at IS NULL ORDER BY device_id COLLATE \"C\"");
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var ids = new List<string>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            ids.Add(r.GetString(0));
        }
        return ids;
    }, ct);

    public Task<IReadOnlyList<BindingRecord>> ListBindingsAsync(string? deviceId, CancellationToken ct) => db.ReadAsync<IReadOnlyList<BindingRecord>>(async c =>
    {
        await using var cmd = Command(c, null, """
            SELECT id, device_id, patient, bound_at, unbound_at FROM bindings
            WHERE @d::text IS NULL OR device_id = @d
            ORDER BY device_id COLLATE "C", bound_at, id
            """, ("d", deviceId));
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var list = new List<BindingRecord>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            list.Add(new BindingRecord(r.GetInt64(0), r.GetString(1), PatientId.Parse(r.GetString(2)), PgTime.Read(r, 3), PgTime.ReadOptional(r, 4)));
        }
        return list;
    }, ct);
}
