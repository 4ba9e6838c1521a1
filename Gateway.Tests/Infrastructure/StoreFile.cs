using Microsoft.Data.Sqlite;

namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>Reads a gateway process's SQLite store from the side, read-only, as an operator's tool would while it runs.</summary>
public static class StoreFile
{
    /// <summary>How many readings are committed (0 before the store exists).</summary>
    public static long CountReadings(string storePath)
    {
        if (!File.Exists(storePath)) return 0;
        using var connection = new SqliteConnection($"Data Source={storePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM readings";
        return (long)command.ExecuteScalar()!;
    }
}
