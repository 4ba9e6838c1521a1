using Npgsql;
using Vitals.Gateway.Patients;
using static Vitals.Gateway.Storage.Postgres.PostgresDatabase;

namespace Vitals.Gateway.Storage.Postgres;

/// <summary><see cref="IDeviceBindings"/>: the <c>devices</c> and <c>bindings</c> tables (one row per slot and validity).</summary>
public sealed class PostgresDeviceBindings(PostgresDatabase db) : IDeviceBindings
{
    /// <remarks>
    /// The device's row is locked first, as the ingest commit does, so a batch committing readings of this device at
    /// the same moment either sees the binding or has its quarantined readings moved by it, and two binds of one slot
    /// on two instances apply one after the other.
    /// </remarks>
    public async Task<int> BindAsync(string deviceId, int? user, PatientId patient, DateTimeOffset from, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentNullException.ThrowIfNull(patient);
        var moved = await db.WriteAsync(async (c, tx) =>
        {
            await ExecuteAsync(c, tx, """
                INSERT INTO devices (device_id) VALUES (@d) ON CONFLICT (device_id) DO UPDATE SET device_id = excluded.device_id
                """, ct, ("d", deviceId)).ConfigureAwait(false);
            var history = await ReadBindingsAsync(c, tx, "device_id = @d AND user_index IS NOT DISTINCT FROM @u::integer", ct,
                ("d", deviceId), ("u", user)).ConfigureAwait(false);
            var plan = BindingPlan.For(history, patient, from);
            if (plan.Close is { } close)
            {
                await ExecuteAsync(c, tx, "UPDATE bindings SET unbound_at = @at WHERE id = @id", ct, ("id", close.Id), ("at", PgTime.Utc(from)))
                    .ConfigureAwait(false);
            }
            if (plan.Extend is { } extend)
            {
                await ExecuteAsync(c, tx, "UPDATE bindings SET bound_at = @at WHERE id = @id", ct, ("id", extend.Id), ("at", PgTime.Utc(from)))
                    .ConfigureAwait(false);
            }
            if (plan.Insert)
            {
                await ExecuteAsync(c, tx, "INSERT INTO bindings (device_id, user_index, patient, bound_at) VALUES (@d, @u::integer, @p, @at)", ct,
                    ("d", deviceId), ("u", user), ("p", patient.Text), ("at", PgTime.Utc(from))).ConfigureAwait(false);
            }
            var current = (long)(await ScalarAsync(c, tx,
                "SELECT id FROM bindings WHERE device_id = @d AND user_index IS NOT DISTINCT FROM @u::integer AND unbound_at IS NULL", ct,
                ("d", deviceId), ("u", user)).ConfigureAwait(false))!;
            return await PostgresQuarantine.MoveQuarantinedAsync(c, tx, deviceId, current, PgTime.Utc(db.Time.GetUtcNow()), ct).ConfigureAwait(false);
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
        var ended = await db.WriteAsync(async (c, tx) =>
        {
            // The device's lock, as for a bind: a batch in flight sees the device either bound or not, not half of each.
            await ExecuteAsync(c, tx, "SELECT 1 FROM devices WHERE device_id = @d FOR UPDATE", ct, ("d", deviceId)).ConfigureAwait(false);
            // A period never ends before it starts: unbinding a binding that starts later leaves it empty.
            return await ExecuteAsync(c, tx, """
                UPDATE bindings SET unbound_at = greatest(bound_at, @at)
                WHERE device_id = @d AND unbound_at IS NULL AND (@all OR user_index IS NOT DISTINCT FROM @u::integer)
                """, ct, ("d", deviceId), ("u", user), ("all", everySlot), ("at", PgTime.Utc(at))).ConfigureAwait(false) > 0;
        }, ct).ConfigureAwait(false);
        if (ended)
        {
            StoreLog.SlotUnbound(db.Log, deviceId, everySlot ? "(every slot)" : BindingConflictException.SlotText(user));
        }
        return ended;
    }

    public Task<IReadOnlyList<DeviceSummary>> ListDevicesAsync(string? deviceId, CancellationToken ct) => db.ReadAsync<IReadOnlyList<DeviceSummary>>(async c =>
    {
        // Slots: bound now, or holding quarantined readings; a device with neither shows its slot without user index.
        await using var cmd = Command(c, null, """
            WITH used AS (
                SELECT device_id, user_index FROM bindings WHERE unbound_at IS NULL AND (@d::text IS NULL OR device_id = @d)
                UNION
                SELECT device_id, user_index FROM readings WHERE state = 'quarantined' AND (@d::text IS NULL OR device_id = @d)
            ),
            slots AS (
                SELECT device_id, user_index FROM used
                UNION
                SELECT device_id, NULL::integer FROM devices
                WHERE (@d::text IS NULL OR device_id = @d) AND device_id NOT IN (SELECT device_id FROM used)
            )
            SELECT s.device_id, s.user_index, b.patient, b.bound_at, d.last_seen, coalesce(d.readings, 0),
                   (SELECT count(*) FROM readings q
                    WHERE q.device_id = s.device_id AND q.user_index IS NOT DISTINCT FROM s.user_index AND q.state = 'quarantined')
            FROM slots s
            LEFT JOIN devices d ON d.device_id = s.device_id
            LEFT JOIN bindings b ON b.device_id = s.device_id AND b.user_index IS NOT DISTINCT FROM s.user_index AND b.unbound_at IS NULL
            ORDER BY s.device_id COLLATE "C", s.user_index NULLS FIRST
            """, ("d", deviceId));
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var list = new List<DeviceSummary>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            list.Add(new DeviceSummary(
                r.GetString(0),
                r.IsDBNull(1) ? null : r.GetInt32(1),
                r.IsDBNull(2) ? null : PatientId.Parse(r.GetString(2)),
                PgTime.ReadOptional(r, 3),
                PgTime.ReadOptional(r, 4),
                r.GetInt64(5),
                r.GetInt64(6)));
        }
        return list;
    }, ct);

    public Task<IReadOnlyList<string>> ListBoundDeviceIdsAsync(CancellationToken ct) => db.ReadAsync<IReadOnlyList<string>>(async c =>
    {
        await using var cmd = Command(c, null, "SELECT DISTINCT device_id COLLATE \"C\" FROM bindings WHERE unbound_at IS NULL ORDER BY 1");
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var ids = new List<string>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            ids.Add(r.GetString(0));
        }
        return ids;
    }, ct);

    public Task<IReadOnlyList<BindingRecord>> ListBindingsAsync(string? deviceId, CancellationToken ct) =>
        db.ReadAsync(c => ReadBindingsAsync(c, null, "@d::text IS NULL OR device_id = @d", ct, ("d", deviceId)), ct);

    private static async Task<IReadOnlyList<BindingRecord>> ReadBindingsAsync(NpgsqlConnection c, NpgsqlTransaction? tx, string where, CancellationToken ct,
        params (string Name, object? Value)[] args)
    {
        await using var cmd = Command(c, tx, $"""
            SELECT id, device_id, user_index, patient, bound_at, unbound_at FROM bindings WHERE {where}
            ORDER BY device_id COLLATE "C", user_index NULLS FIRST, bound_at, id
            """, args);
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var list = new List<BindingRecord>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            list.Add(new BindingRecord(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt32(2), PatientId.Parse(r.GetString(3)),
                PgTime.Read(r, 4), PgTime.ReadOptional(r, 5)));
        }
        return list;
    }
}
