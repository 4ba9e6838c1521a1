using static Vitals.Gateway.Storage.Sqlite.Sql;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary>
/// <see cref="IDeliveryStatistics"/> and <see cref="IStoreHealth"/>. Plain range selects on indexed instants (schema
/// version 6), folded in memory: the statements carry over to any SQL store unchanged but for the parameter marks.
/// </summary>
public sealed class SqliteDeliveryStatistics(SqliteDatabase db) : IDeliveryStatistics, IStoreHealth
{
    public Task<IReadOnlyList<HourlyStatistics>> GetHourlyAsync(DateTimeOffset from, int hours, CancellationToken ct) => db.ReadAsync(c =>
    {
        var buckets = new HourlyBuckets(from, hours);
        var range = new[] { ("$from", (object?)SqliteTime.Format(from)), ("$to", SqliteTime.Format(buckets.To)) };
        // One read transaction: the three selects see one snapshot.
        using var tx = c.BeginTransaction(deferred: true);
        using (var cmd = Command(c, tx, "SELECT received_at FROM readings WHERE received_at >= $from AND received_at < $to", range))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) buckets.Received(SqliteTime.Parse(r.GetString(0)));
        using (var cmd = Command(c, tx, "SELECT received_at FROM rejected WHERE received_at >= $from AND received_at < $to", range))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) buckets.Rejected(SqliteTime.Parse(r.GetString(0)));
        using (var cmd = Command(c, tx, "SELECT received_at, delivered_at FROM readings WHERE delivered_at >= $from AND delivered_at < $to", range))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) buckets.Delivered(SqliteTime.Parse(r.GetString(0)), SqliteTime.Parse(r.GetString(1)));
        tx.Commit();
        return buckets.Result();
    }, ct);

    public Task<IReadOnlyList<DeviceActivity>> GetDeviceActivityAsync(DateTimeOffset since, CancellationToken ct) => db.ReadAsync<IReadOnlyList<DeviceActivity>>(c =>
    {
        using var cmd = Command(c, null, """
            SELECT device_id, count(*), max(received_at), max(effective_time)
            FROM readings WHERE received_at >= $since
            GROUP BY device_id ORDER BY device_id
            """, ("$since", SqliteTime.Format(since)));
        using var r = cmd.ExecuteReader();
        var list = new List<DeviceActivity>();
        while (r.Read())
            list.Add(new DeviceActivity(r.GetString(0), r.GetInt64(1), SqliteTime.Parse(r.GetString(2)), SqliteTime.Parse(r.GetString(3))));
        return list;
    }, ct);

    public Task ProbeWriteAsync(CancellationToken ct) => db.WriteAsync((c, tx) =>
        // A real commit (BEGIN IMMEDIATE ... COMMIT, fsync'd): the row changes each time, so SQLite cannot skip the write.
        Execute(c, tx, """
            INSERT INTO counters (name, value) VALUES ('health_probe', 1)
            ON CONFLICT (name) DO UPDATE SET value = counters.value + 1
            """), ct);
}
