using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary>Statement helpers shared by the aggregates: parameters by name, null as SQL NULL.</summary>
internal static class Sql
{
    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? tx, string sql, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return cmd;
    }

    public static int Execute(SqliteConnection connection, SqliteTransaction? tx, string sql, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        using var cmd = Command(connection, tx, sql, args);
        return cmd.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection connection, SqliteTransaction? tx, string sql, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        using var cmd = Command(connection, tx, sql, args);
        var value = cmd.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public static void Pragma(SqliteConnection connection, string pragma)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA " + pragma;
        cmd.ExecuteNonQuery();
    }

    public static DateTimeOffset? OptionalTime(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : SqliteTime.Parse(reader.GetString(ordinal));

    /// <summary>A JSON array of strings, for <c>json_each</c>: one parameter instead of one per key.</summary>
    public static string JsonArray(IEnumerable<string> values)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var value in values)
                json.WriteStringValue(value);
            json.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static InvalidOperationException MissingOutboxEntry(long outboxId) =>
        new($"Outbox entry {outboxId} does not exist (already delivered, dead-lettered, or never created).");
}
