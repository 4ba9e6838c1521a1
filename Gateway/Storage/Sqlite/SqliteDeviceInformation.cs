using Microsoft.Data.Sqlite;
using Vitals.Devices;
using static Vitals.Gateway.Storage.Sqlite.Sql;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary><see cref="IDeviceInformation"/> and <see cref="IGatewayIdentity"/>: the <c>device_information</c> and <c>store_metadata</c> tables.</summary>
public sealed class SqliteDeviceInformation(SqliteDatabase db) : IDeviceInformation, IGatewayIdentity
{
    private const string Columns = "device_id, manufacturer, model, serial, firmware, system_id, battery_percent, updated_at";

    public Task SaveAsync(string deviceId, DeviceInformation information, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentNullException.ThrowIfNull(information);
        // COALESCE: a part the device left out keeps the value recorded before (IDeviceInformation.SaveAsync).
        return db.WriteAsync((c, tx) => Execute(c, tx, $"""
            INSERT INTO device_information ({Columns}) VALUES ($d, $m, $mo, $s, $f, $sys, $b, $t)
            ON CONFLICT (device_id) DO UPDATE SET
                manufacturer = COALESCE(excluded.manufacturer, manufacturer),
                model = COALESCE(excluded.model, model),
                serial = COALESCE(excluded.serial, serial),
                firmware = COALESCE(excluded.firmware, firmware),
                system_id = COALESCE(excluded.system_id, system_id),
                battery_percent = COALESCE(excluded.battery_percent, battery_percent),
                updated_at = excluded.updated_at
            """, ("$d", deviceId), ("$m", information.Manufacturer), ("$mo", information.Model), ("$s", information.Serial),
            ("$f", information.Firmware), ("$sys", information.SystemId), ("$b", information.BatteryPercent), ("$t", SqliteTime.Format(at))), ct);
    }

    public async Task<DeviceRecord?> GetAsync(string deviceId, CancellationToken ct)
    {
        var found = await db.ReadAsync(c => Read(c, $"SELECT {Columns} FROM device_information WHERE device_id = $d", ("$d", deviceId)), ct).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<IReadOnlyList<DeviceRecord>> ListAsync(CancellationToken ct) =>
        await db.ReadAsync(c => Read(c, $"SELECT {Columns} FROM device_information ORDER BY device_id"), ct).ConfigureAwait(false);

    public async Task<string> GetOrCreateAsync(CancellationToken ct)
    {
        var existing = await db.ReadAsync(c => Scalar(c, null, "SELECT value FROM store_metadata WHERE name = $n", ("$n", GatewayIdentityValue.MetadataName)) as string, ct)
            .ConfigureAwait(false);
        if (existing is not null) return existing;
        // INSERT OR IGNORE then read back: a second process creating it at the same moment keeps the first value.
        return await db.WriteAsync((c, tx) =>
        {
            Execute(c, tx, "INSERT OR IGNORE INTO store_metadata (name, value) VALUES ($n, $v)", ("$n", GatewayIdentityValue.MetadataName), ("$v", GatewayIdentityValue.New()));
            return (string)Scalar(c, tx, "SELECT value FROM store_metadata WHERE name = $n", ("$n", GatewayIdentityValue.MetadataName))!;
        }, ct).ConfigureAwait(false);
    }

    private static List<DeviceRecord> Read(SqliteConnection c, string sql, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        using var cmd = Command(c, null, sql, args);
        using var r = cmd.ExecuteReader();
        var records = new List<DeviceRecord>();
        while (r.Read())
        {
            records.Add(new DeviceRecord(r.GetString(0), new DeviceInformation
            {
                Manufacturer = Text(r, 1),
                Model = Text(r, 2),
                Serial = Text(r, 3),
                Firmware = Text(r, 4),
                SystemId = Text(r, 5),
                BatteryPercent = r.IsDBNull(6) ? null : r.GetInt32(6),
            }, SqliteTime.Parse(r.GetString(7))));
        }
        return records;
    }

    private static string? Text(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);
}
