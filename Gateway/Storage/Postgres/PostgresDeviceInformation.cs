using Npgsql;
using Vitals.Devices;
using static Vitals.Gateway.Storage.Postgres.PostgresDatabase;

namespace Vitals.Gateway.Storage.Postgres;

/// <summary><see cref="IDeviceInformation"/> and <see cref="IGatewayIdentity"/>: the <c>device_information</c> and <c>store_metadata</c> tables.</summary>
public sealed class PostgresDeviceInformation(PostgresDatabase db) : IDeviceInformation, IGatewayIdentity
{
    private const string Columns = "device_id, manufacturer, model, serial, firmware, system_id, battery_percent, updated_at";

    public Task SaveAsync(string deviceId, DeviceInformation information, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentNullException.ThrowIfNull(information);
        // COALESCE: a part the device left out keeps the value recorded before (IDeviceInformation.SaveAsync).
        return db.WriteAsync((c, tx) => ExecuteAsync(c, tx, $"""
            INSERT INTO device_information ({Columns}) VALUES (@d, @m, @mo, @s, @f, @sys, @b, @t)
            ON CONFLICT (device_id) DO UPDATE SET
                manufacturer = COALESCE(excluded.manufacturer, device_information.manufacturer),
                model = COALESCE(excluded.model, device_information.model),
                serial = COALESCE(excluded.serial, device_information.serial),
                firmware = COALESCE(excluded.firmware, device_information.firmware),
                system_id = COALESCE(excluded.system_id, device_information.system_id),
                battery_percent = COALESCE(excluded.battery_percent, device_information.battery_percent),
                updated_at = excluded.updated_at
            """, ct, ("d", deviceId), ("m", information.Manufacturer), ("mo", information.Model), ("s", information.Serial),
            ("f", information.Firmware), ("sys", information.SystemId), ("b", information.BatteryPercent), ("t", PgTime.Utc(at))), ct);
    }

    public async Task<DeviceRecord?> GetAsync(string deviceId, CancellationToken ct)
    {
        var found = await db.ReadAsync(c => ReadAsync(c, $"SELECT {Columns} FROM device_information WHERE device_id = @d", ct, ("d", deviceId)), ct).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<IReadOnlyList<DeviceRecord>> ListAsync(CancellationToken ct) =>
        await db.ReadAsync(c => ReadAsync(c, $"SELECT {Columns} FROM device_information ORDER BY device_id", ct), ct).ConfigureAwait(false);

    public async Task<string> GetOrCreateAsync(CancellationToken ct)
    {
        var existing = await db.ReadAsync(c => ScalarAsync(c, null, "SELECT value FROM store_metadata WHERE name = @n", ct, ("n", GatewayIdentityValue.MetadataName)), ct)
            .ConfigureAwait(false);
        if (existing is string known) return known;
        // ON CONFLICT DO NOTHING then read back: another instance creating it at the same moment keeps the first value.
        return await db.WriteAsync(async (c, tx) =>
        {
            await ExecuteAsync(c, tx, "INSERT INTO store_metadata (name, value) VALUES (@n, @v) ON CONFLICT (name) DO NOTHING", ct,
                ("n", GatewayIdentityValue.MetadataName), ("v", GatewayIdentityValue.New())).ConfigureAwait(false);
            return (string)(await ScalarAsync(c, tx, "SELECT value FROM store_metadata WHERE name = @n", ct, ("n", GatewayIdentityValue.MetadataName)).ConfigureAwait(false))!;
        }, ct).ConfigureAwait(false);
    }

    private static async Task<List<DeviceRecord>> ReadAsync(NpgsqlConnection c, string sql, CancellationToken ct, params (string Name, object? Value)[] args)
    {
        await using var cmd = Command(c, null, sql, args);
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var records = new List<DeviceRecord>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            records.Add(new DeviceRecord(r.GetString(0), new DeviceInformation
            {
                Manufacturer = Text(r, 1),
                Model = Text(r, 2),
                Serial = Text(r, 3),
                Firmware = Text(r, 4),
                SystemId = Text(r, 5),
                BatteryPercent = r.IsDBNull(6) ? null : r.GetInt32(6),
            }, PgTime.Read(r, 7)));
        }
        return records;
    }

    private static string? Text(NpgsqlDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);
}
