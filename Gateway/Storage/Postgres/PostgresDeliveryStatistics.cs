using static Vitals.Gateway.Storage.Postgres.PostgresDatabase;

namespace Vitals.Gateway.Storage.Postgres;

/// <summary>
/// <see cref="IDeliveryStatistics"/> and <see cref="IStoreHealth"/> on PostgreSQL: the same plain range selects as the
/// SQLite store, folded in memory by <see cref="HourlyBuckets"/>, on the indexes of schema version 2.
/// </summary>
public sealed class PostgresDeliveryStatistics(PostgresDatabase db) : IDeliveryStatistics, IStoreHealth
{
    public Task<IReadOnlyList<HourlyStatistics>> GetHourlyAsync(DateTimeOffset from, int hours, CancellationToken ct) =>
        // One transaction (REPEATABLE READ is not needed: the chart tolerates a reading counted in the next view).
        db.WriteAsync<IReadOnlyList<HourlyStatistics>>(async (c, tx) =>
        {
            var buckets = new HourlyBuckets(from, hours);
            var lo = PgTime.Utc(from);
            var hi = PgTime.Utc(buckets.To);
            await using (var cmd = Command(c, tx, "SELECT received_at FROM readings WHERE received_at >= @from AND received_at < @to", ("from", lo), ("to", hi)))
            await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
                while (await r.ReadAsync(ct).ConfigureAwait(false)) buckets.Received(PgTime.Read(r, 0));
            await using (var cmd = Command(c, tx, "SELECT received_at FROM rejected WHERE received_at >= @from AND received_at < @to", ("from", lo), ("to", hi)))
            await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
                while (await r.ReadAsync(ct).ConfigureAwait(false)) buckets.Rejected(PgTime.Read(r, 0));
            await using (var cmd = Command(c, tx, "SELECT received_at, delivered_at FROM readings WHERE delivered_at >= @from AND delivered_at < @to", ("from", lo), ("to", hi)))
            await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
                while (await r.ReadAsync(ct).ConfigureAwait(false)) buckets.Delivered(PgTime.Read(r, 0), PgTime.Read(r, 1));
            return buckets.Result();
        }, ct);

    public Task<IReadOnlyList<DeviceActivity>> GetDeviceActivityAsync(DateTimeOffset since, CancellationToken ct) => db.ReadAsync<IReadOnlyList<DeviceActivity>>(async c =>
    {
        await using var cmd = Command(c, null, """
            SELECT device_id, count(*), max(received_at), max(effective_time)
            FROM readings WHERE received_at >= @since
            GROUP BY device_id ORDER BY device_id
            """, ("since", PgTime.Utc(since)));
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var list = new List<DeviceActivity>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
            list.Add(new DeviceActivity(r.GetString(0), r.GetInt64(1), PgTime.Read(r, 2), PgTime.Read(r, 3)));
        return list;
    }, ct);

    public Task ProbeWriteAsync(CancellationToken ct) => db.WriteAsync(async (c, tx) =>
    {
        // A real commit: the row changes each time, so the write reaches the WAL.
        await using var cmd = Command(c, tx, """
            INSERT INTO counters (name, value) VALUES ('health_probe', 1)
            ON CONFLICT (name) DO UPDATE SET value = counters.value + 1
            """);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        return 0;
    }, ct);
}
