using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Storage;

/// <summary>
/// A real store with a fake clock: a SQLite file in a fresh temporary folder, or (given the test run's
/// <see cref="PostgresServer"/>) a fresh PostgreSQL database; deleted with everything it opened.
/// </summary>
internal sealed class TempStore : IDisposable
{
    private readonly List<StoreSet> _opened = [];
    private readonly PostgresServer? _server;
    private readonly string? _database;

    public TempStore()
    {
        Folder = Path.Combine(Path.GetTempPath(), "vitals-store-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        Clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 7, 35, 0, TimeSpan.Zero));
    }

    /// <summary>A fresh database on <paramref name="server"/>.</summary>
    public TempStore(PostgresServer server) : this()
    {
        _server = server;
        _database = server.CreateDatabaseAsync().GetAwaiter().GetResult();
    }

    public StorageProvider Provider => _server is null ? StorageProvider.Sqlite : StorageProvider.Postgres;

    /// <summary>The PostgreSQL database's connection string (with its password); null for SQLite.</summary>
    public string? ConnectionString => _server?.ConnectionString(_database!);

    public string Folder { get; }

    /// <summary>In a sub-folder that does not exist yet: the store must create it.</summary>
    public string DatabasePath => Path.Combine(Folder, "data", "gateway.db");

    public FakeTimeProvider Clock { get; }

    /// <summary>The store as the gateway registers it (AddGatewayStore), on this file and clock; not initialised.</summary>
    public StoreSet Create(SqliteSynchronous synchronous = SqliteSynchronous.Full)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = Provider.ToString(),
            ["Storage:Path"] = DatabasePath,
            ["Storage:ConnectionString"] = ConnectionString,
            ["Storage:Synchronous"] = synchronous.ToString(),
        }).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(Clock)
            .AddGatewayStore(configuration)
            .BuildServiceProvider();
        var store = new StoreSet(services, services);
        _opened.Add(store);
        return store;
    }

    public async Task<StoreSet> OpenAsync(SqliteSynchronous synchronous = SqliteSynchronous.Full)
    {
        var store = Create(synchronous);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    /// <summary>A plain connection to the file, as another tool (or an older gateway) would have.</summary>
    public SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="sql"/> straight on the database, as another tool would (SQL both engines accept); the first
    /// column of the first row as a number, or 0.
    /// </summary>
    public long Sql(string sql)
    {
        if (_server is null)
        {
            using var raw = OpenRaw();
            return ExecuteRaw(raw, sql);
        }
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var cmd = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(cmd.ExecuteScalar() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }

    public static long ExecuteRaw(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        foreach (var store in _opened)
        {
            store.Dispose();
        }
        if (_server is not null)
        {
            _server.DropDatabase(_database!);
        }
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; failing the test for it would hide the real result.
        }
    }
}
