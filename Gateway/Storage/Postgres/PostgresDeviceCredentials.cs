using static Vitals.Gateway.Storage.Postgres.PostgresDatabase;

namespace Vitals.Gateway.Storage.Postgres;

/// <summary><see cref="IDeviceCredentials"/>: the <c>mqtt_credentials</c> table.</summary>
public sealed class PostgresDeviceCredentials(PostgresDatabase db) : IDeviceCredentials
{
    public Task SetAsync(string deviceId, string passwordHash, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentException.ThrowIfNullOrEmpty(passwordHash);
        return db.WriteAsync((c, tx) => ExecuteAsync(c, tx, """
            INSERT INTO mqtt_credentials (device_id, password_hash, issued_at) VALUES (@d, @h, @t)
            ON CONFLICT (device_id) DO UPDATE SET password_hash = excluded.password_hash, issued_at = excluded.issued_at
            """, ct, ("d", deviceId), ("h", passwordHash), ("t", PgTime.Utc(at))), ct);
    }

    public async Task<bool> RevokeAsync(string deviceId, CancellationToken ct) =>
        await db.WriteAsync((c, tx) => ExecuteAsync(c, tx, "DELETE FROM mqtt_credentials WHERE device_id = @d", ct, ("d", deviceId)), ct).ConfigureAwait(false) > 0;

    public Task<string?> FindHashAsync(string deviceId, CancellationToken ct) => db.ReadAsync(async c =>
        await ScalarAsync(c, null, "SELECT password_hash FROM mqtt_credentials WHERE device_id = @d", ct, ("d", deviceId)).ConfigureAwait(false) as string, ct);

    public Task<IReadOnlyList<DeviceCredential>> ListAsync(CancellationToken ct) => db.ReadAsync<IReadOnlyList<DeviceCredential>>(async c =>
    {
        await using var cmd = Command(c, null, "SELECT device_id, password_hash, issued_at FROM mqtt_credentials ORDER BY device_id COLLATE \"C\"");
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var list = new List<DeviceCredential>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            list.Add(new DeviceCredential(reader.GetString(0), reader.GetString(1), PgTime.Read(reader, 2)));
        }
        return list;
    }, ct);
}
