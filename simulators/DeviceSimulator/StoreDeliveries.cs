using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Vitals.Simulators.DeviceSimulator;

/// <summary>Reads the delivered readings from a gateway's SQLite store, read-only, while the gateway runs (WAL).</summary>
public sealed class StoreDeliveries(string path)
{
    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        return connection;
    }

    public long CountDelivered()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM readings WHERE state = 'delivered'";
        return (long)command.ExecuteScalar()!;
    }

    public List<(string IdentityKey, DateTimeOffset DeliveredAt)> ReadDelivered()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT identity_key, delivered_at FROM readings WHERE state = 'delivered' AND delivered_at IS NOT NULL";
        var rows = new List<(string, DateTimeOffset)>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal)));
        }
        return rows;
    }
}
