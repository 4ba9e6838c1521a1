using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Vitals.Gateway.Storage.Postgres;

/// <summary>
/// A PostgreSQL database shared by the store's aggregates and by every gateway instance of a fleet: one
/// <see cref="NpgsqlDataSource"/> (a connection pool), each write in its own READ COMMITTED transaction, retried when
/// PostgreSQL chose it as a deadlock victim or a serialisation failure. Instances tell their outbox claims apart by
/// <see cref="InstanceId"/>.
/// </summary>
/// <remarks>
/// The connection string is a secret (it holds the password): it is never logged; <see cref="Description"/> names the
/// server and database only.
/// </remarks>
public sealed class PostgresDatabase : IStoreInitializer, IDisposable
{
    private const int Attempts = 5;
    private readonly NpgsqlDataSource _dataSource;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private volatile bool _initialized;
    private volatile bool _disposed;

    public PostgresDatabase(IOptions<StorageOptions> options, TimeProvider timeProvider, ILogger<PostgresDatabase> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        Time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        Log = logger ?? throw new ArgumentNullException(nameof(logger));
        if (o.Provider != StorageProvider.Postgres || string.IsNullOrWhiteSpace(o.ConnectionString))
        {
            throw new InvalidOperationException("The PostgreSQL store needs Storage:Provider 'Postgres' and Storage:ConnectionString.");
        }
        var builder = new NpgsqlConnectionStringBuilder(o.ConnectionString);
        // The hot statements are few and repeated: let Npgsql prepare them on each pooled connection.
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 32;
        }
        Description = $"postgresql://{builder.Host}:{builder.Port.ToString(CultureInfo.InvariantCulture)}/{builder.Database}";
        _dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        LeaseDuration = o.LeaseDuration;
        InstanceId = $"{Environment.MachineName}/{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}/{Guid.NewGuid().ToString("N")[..8]}";
    }

    /// <summary>Server and database, without user or password: what logs and errors name.</summary>
    public string Description { get; }

    /// <summary>This store object's name on the outbox entries it claims: one per process (the store is a singleton).</summary>
    public string InstanceId { get; }

    /// <summary><c>Storage:LeaseDuration</c>: how long a claim keeps other instances off an entry and its device.</summary>
    public TimeSpan LeaseDuration { get; }

    internal TimeProvider Time { get; }

    internal ILogger Log { get; }

    public async Task InitializeAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _initLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }
            var version = await MigrateAsync(ct).ConfigureAwait(false);
            _initialized = true;
            StoreLog.PostgresStoreOpened(Log, Description, version, InstanceId);
        }
        finally
        {
            _initLock.Release();
        }
    }

    /// <summary>
    /// Brings the schema to this version under a session advisory lock, so that instances starting together run the
    /// migrations once: the others wait for the lock, then find every step recorded. The lock ends with the session,
    /// so a process killed while migrating releases it (and its transaction rolls back).
    /// </summary>
    private async Task<int> MigrateAsync(CancellationToken ct)
    {
        var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await ExecuteAsync(connection, null, "SELECT pg_advisory_lock(@k)", ct, ("k", PostgresSchema.MigrationLock)).ConfigureAwait(false);
            try
            {
                var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                await using (tx.ConfigureAwait(false))
                {
                    await ExecuteAsync(connection, tx, PostgresSchema.CreateVersionTable, ct).ConfigureAwait(false);
                    var applied = new Dictionary<int, string>();
                    await using (var cmd = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", connection, tx))
                    await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
                    {
                        while (await r.ReadAsync(ct).ConfigureAwait(false))
                        {
                            applied[r.GetInt32(0)] = r.GetString(1);
                        }
                    }
                    var from = applied.Count == 0 ? 0 : applied.Keys.Max();
                    if (from > PostgresSchema.CurrentVersion)
                    {
                        throw new InvalidOperationException(
                            $"The store at {Description} has schema version {from}, newer than this gateway understands ({PostgresSchema.CurrentVersion}).");
                    }
                    foreach (var (version, checksum) in applied.OrderBy(a => a.Key))
                    {
                        if (checksum != MigrationChecksum.Of(PostgresSchema.Migrations[version - 1]))
                        {
                            throw MigrationChecksum.Edited(Description, version);
                        }
                    }
                    for (var version = from; version < PostgresSchema.CurrentVersion; version++)
                    {
                        var sql = PostgresSchema.Migrations[version];
                        await ExecuteAsync(connection, tx, sql, ct).ConfigureAwait(false);
                        await ExecuteAsync(connection, tx, "INSERT INTO schema_migrations (version, checksum, applied_at) VALUES (@v, @c, @at)", ct,
                            ("v", version + 1), ("c", MigrationChecksum.Of(sql)), ("at", Time.GetUtcNow().UtcDateTime)).ConfigureAwait(false);
                    }
                    await tx.CommitAsync(ct).ConfigureAwait(false);
                    if (from != PostgresSchema.CurrentVersion)
                    {
                        StoreLog.SchemaMigrated(Log, from, PostgresSchema.CurrentVersion);
                    }
                    return PostgresSchema.CurrentVersion;
                }
            }
            finally
            {
                // Not with ct: the unlock must run even when the caller gave up.
                await ExecuteAsync(connection, null, "SELECT pg_advisory_unlock(@k)", CancellationToken.None, ("k", PostgresSchema.MigrationLock)).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction on a pooled connection, committed before it returns. A deadlock
    /// or serialisation failure (SQLSTATE 40P01, 40001) rolls back and runs it again: <paramref name="work"/> must
    /// start from scratch each time.
    /// </summary>
    internal async Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken ct)
    {
        EnsureReady();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                    await using (tx.ConfigureAwait(false))
                    {
                        var result = await work(connection, tx).ConfigureAwait(false);
                        await tx.CommitAsync(ct).ConfigureAwait(false);
                        return result;
                    }
                }
            }
            catch (PostgresException e) when (attempt < Attempts && e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5 * attempt * Random.Shared.Next(1, 5)), ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> on a pooled connection outside an explicit transaction (each statement its own snapshot).</summary>
    internal async Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken ct)
    {
        EnsureReady();
        var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await work(connection).ConfigureAwait(false);
        }
    }

    internal static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, params ReadOnlySpan<(string Name, object? Value)> args)
    {
        var cmd = new NpgsqlCommand(sql, connection, tx);
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return cmd;
    }

    internal static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, CancellationToken ct, params (string Name, object? Value)[] args)
    {
        await using var cmd = Command(connection, tx, sql, args);
        return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    internal static async Task<object?> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, CancellationToken ct, params (string Name, object? Value)[] args)
    {
        await using var cmd = Command(connection, tx, sql, args);
        var value = await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }

    private void EnsureReady()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_initialized)
        {
            throw new InvalidOperationException($"The store at {Description} is not initialised; call {nameof(InitializeAsync)} first.");
        }
    }

    /// <summary>
    /// On an orderly stop the delivery loop has already ended (hosted services stop before the store is disposed):
    /// this instance's claims go back at once instead of when their lease ends, so another instance, or this one
    /// restarted, delivers them without waiting. Best effort: a crash leaves them to the lease.
    /// </summary>
    private void ReleaseLeases()
    {
        try
        {
            using var connection = _dataSource.OpenConnection();
            using var cmd = Command(connection, null, "UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = @me", ("me", InstanceId));
            cmd.CommandTimeout = 5;
            cmd.ExecuteNonQuery();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            StoreLog.LeasesNotReleased(Log, InstanceId, e.Message);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (_initialized)
        {
            ReleaseLeases();
        }
        _dataSource.Dispose();
        _initLock.Dispose();
    }
}
