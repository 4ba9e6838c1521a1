using static Vitals.Gateway.Storage.Sqlite.Sql;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary><see cref="IDeviceCredentials"/>: the <c>mqtt_credentials</c> table.</summary>
public sealed class SqliteDeviceCredentials(SqliteDatabase db) : IDeviceCredentials
{
    public Task SetAsync(string deviceId, string passwordHash, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentException.ThrowIfNullOrEmpty(passwordHash);
        return db.WriteAsync((c, tx) => Execute(c, tx, """
            INSERT INTO mqtt_credentials (device_id, password_hash, issued_at) VALUES ($d, $h, $t)
            ON CONFLICT (device_id) DO UPDATE SET password_hash = excluded.password_hash, issued_at = excluded.issued_at
            """, ("$d", deviceId), ("$h", passwordHash), ("$t", SqliteTime.Format(at))), ct);
    }

    public Task<bool> RevokeAsync(string deviceId, CancellationToken ct) =>
        db.WriteAsync((c, tx) => Execute(c, tx, "DELETE FROM mqtt_credentials WHERE device_id = $d", ("$d", deviceId)) > 0, ct);

    public Task<string?> FindHashAsync(string deviceId, CancellationToken ct) => db.ReadAsync(c =>
        Scalar(c, null, "SELECT password_hash FROM mqtt_credentials WHERE device_id = $d", ("$d", deviceId)) as string, ct);

    public Task<IReadOnlyList<DeviceCredential>> ListAsync(CancellationToken ct) => db.ReadAsync<IReadOnlyList<DeviceCredential>>(c =>
    {
        using var cmd = Command(c, null, "SELECT device_id, password_hash, issued_at FROM mqtt_credentials ORDER BY device_id");
        using var reader = cmd.ExecuteReader();
        var list = new List<DeviceCredential>();
        while (reader.Read())
        {
            list.Add(new DeviceCredential(reader.GetString(0), reader.GetString(1), SqliteTime.Parse(reader.GetString(2))));
        }
        return list;
    }, ct);
}
