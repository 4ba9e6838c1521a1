using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static Vitals.Gateway.Storage.Sqlite.Sql;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary>
/// One SQLite file in WAL mode, shared by the store's aggregates. All writes go through one dedicated connection
/// guarded by a semaphore, each in a <c>BEGIN IMMEDIATE</c> transaction, so a write never has to upgrade a read lock
/// and a second process on the same file (the CLI) simply waits its turn (busy timeout). Reads use pooled connections
/// of their own and see the last committed state without blocking the writer.
/// </summary>
/// <remarks>
/// Lists (quarantine, rejected, dead letters) are newest first. Instants are returned in UTC; the offsets a device
/// sent are kept inside its reading.
/// </remarks>
public sealed class SqliteDatabase : IStoreInitializer, IDisposable
{
    private readonly StorageOptions _options;
    private readonly string _writerConnectionString;
    private readonly string _readerConnectionString;
    private readonly int _busyTimeoutMs;
    // Guards the writer connection, its prepared statements and _initialized/_disposed transitions: SQLite allows one
    // writer, and a transaction must not interleave with another on the same connection.
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private SqliteConnection? _writer;
    private SqliteCommitCommands? _commit;
    private SqliteWalCheckpointer? _checkpointer;
    private volatile bool _initialized;
    private volatile bool _disposed;

    public SqliteDatabase(IOptions<StorageOptions> options, TimeProvider timeProvider, ILogger<SqliteDatabase> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        Time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        Log = logger ?? throw new ArgumentNullException(nameof(logger));
        if (_options.Provider != StorageProvider.Sqlite)
        {
            throw new InvalidOperationException($"The SQLite store cannot serve Storage:Provider '{_options.Provider}'.");
        }

        DatabasePath = _options.ResolvePath();
        _busyTimeoutMs = (int)Math.Ceiling(_options.BusyTimeout.TotalMilliseconds);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(_options.BusyTimeout.TotalSeconds)),
            // The writer lives as long as the store; readers come and go and reuse pooled handles.
            Pooling = false,
        };
        _writerConnectionString = builder.ToString();
        builder.Pooling = true;
        _readerConnectionString = builder.ToString();
    }

    /// <summary>The absolute path of the SQLite file.</summary>
    public string DatabasePath { get; }

    internal TimeProvider Time { get; }

    internal ILogger Log { get; }

    public async Task InitializeAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_initialized)
            {
                return;
            }
            ProtectFiles();

            var writer = new SqliteConnection(_writerConnectionString);
            try
            {
                writer.Open();
                Pragma(writer, $"busy_timeout = {_busyTimeoutMs}");
                var mode = Convert.ToString(Scalar(writer, null, "PRAGMA journal_mode = WAL"), CultureInfo.InvariantCulture);
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"The store at {DatabasePath} could not switch to WAL mode (journal mode is '{mode}').");
                }
                Pragma(writer, _options.Synchronous == SqliteSynchronous.Full ? "synchronous = FULL" : "synchronous = NORMAL");
                Pragma(writer, "foreign_keys = ON");
                Pragma(writer, "temp_store = MEMORY");
                Pragma(writer, "cache_size = -16000");
                Pragma(writer, $"wal_autocheckpoint = {SqliteWalCheckpointer.BackstopPages}");
                Pragma(writer, $"journal_size_limit = {SqliteWalCheckpointer.JournalSizeLimitBytes}");

                var version = Migrate(writer);
                _commit = new SqliteCommitCommands(writer);
                _checkpointer = new SqliteWalCheckpointer(_writerConnectionString, _options.Synchronous, Time, Log);
                _writer = writer;
                _initialized = true;
                StoreLog.StoreOpened(Log, DatabasePath, version, _options.Synchronous);
            }
            catch
            {
                writer.Dispose();
                throw;
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// The folder 0700 when created here, the database file created 0600 before SQLite opens it, and files an earlier
    /// build left open to other users tightened (<see cref="PrivateFiles"/> has the policy).
    /// </summary>
    /// <remarks>
    /// SQLite's unix VFS creates a missing database file with SQLITE_DEFAULT_FILE_PERMISSIONS (0644) less the umask,
    /// but gives the files it creates beside it (the <c>-wal</c>, the <c>-shm</c>, a rollback <c>-journal</c>) the
    /// permissions (and, as root, the owner) of the database file itself (SQLite docs "Write-Ahead Logging", "Temporary
    /// Files Used By SQLite"; tested in StoreFileModeTests). So creating the database file 0600 first is what makes
    /// them 0600 too. An existing <c>-wal</c>/<c>-shm</c> keeps its mode, hence the tightening of those as well.
    /// Other temporary files (temp tables, sorts, statement journals) stay in memory: <c>temp_store = MEMORY</c>.
    /// </remarks>
    private void ProtectFiles()
    {
        var folder = Path.GetDirectoryName(DatabasePath);
        if (!string.IsNullOrEmpty(folder) && PrivateFiles.EnsureFolder(folder) is { } folderMode)
        {
            StoreLog.StoreFolderOpen(Log, folder, PrivateFiles.Octal(folderMode));
        }
        Protect(DatabasePath, create: true);
        foreach (var suffix in (ReadOnlySpan<string>)["-wal", "-shm", "-journal"])
        {
            Protect(DatabasePath + suffix, create: false);
        }

        void Protect(string path, bool create)
        {
            try
            {
                if ((create ? PrivateFiles.CreateOrTighten(path) : PrivateFiles.Tighten(path)) is { } was)
                {
                    StoreLog.StoreFileTightened(Log, path, PrivateFiles.Octal(was));
                }
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                // Another user's file (the CLI run as someone else): SQLite decides below whether it may be used at all.
                StoreLog.StoreFileNotTightened(Log, path, e.Message);
            }
        }
    }

    private int Migrate(SqliteConnection writer)
    {
        using var tx = writer.BeginTransaction(deferred: false);
        Execute(writer, tx, SqliteSchema.CreateVersionTable);
        var from = Convert.ToInt32(Scalar(writer, tx, "SELECT coalesce(max(version), 0) FROM schema_version"), CultureInfo.InvariantCulture);
        if (from > SqliteSchema.CurrentVersion)
        {
            throw new InvalidOperationException(
                $"The store at {DatabasePath} has schema version {from}, newer than this gateway understands ({SqliteSchema.CurrentVersion}).");
        }
        var adopted = CheckChecksums(writer, tx);
        var now = SqliteTime.Format(Time.GetUtcNow());
        for (var version = from; version < SqliteSchema.CurrentVersion; version++)
        {
            var sql = SqliteSchema.Migrations[version];
            Execute(writer, tx, sql);
            Execute(writer, tx, "INSERT INTO schema_version (version, applied_at, checksum) VALUES ($v, $at, $sum)",
                ("$v", version + 1), ("$at", now), ("$sum", MigrationChecksum.Of(sql)));
        }
        tx.Commit();
        if (adopted > 0)
        {
            StoreLog.MigrationChecksumsAdopted(Log, adopted);
        }
        if (from != SqliteSchema.CurrentVersion)
        {
            StoreLog.SchemaMigrated(Log, from, SqliteSchema.CurrentVersion);
        }
        return SqliteSchema.CurrentVersion;
    }

    /// <summary>
    /// Refuses a file whose applied migrations were recorded with another checksum than this gateway's text of them
    /// (an edited migration). Files written before checksums existed get the column, and their applied migrations the
    /// code's checksums, on first open (trusted, as every earlier start-up trusted them). Returns how many were adopted.
    /// </summary>
    private int CheckChecksums(SqliteConnection writer, SqliteTransaction tx)
    {
        if (Scalar(writer, tx, "SELECT count(*) FROM pragma_table_info('schema_version') WHERE name = 'checksum'") is 0L)
        {
            Execute(writer, tx, "ALTER TABLE schema_version ADD COLUMN checksum TEXT");
        }
        var recorded = new List<(int Version, string? Checksum)>();
        using (var cmd = Command(writer, tx, "SELECT version, checksum FROM schema_version ORDER BY version"))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                recorded.Add((r.GetInt32(0), r.IsDBNull(1) ? null : r.GetString(1)));
            }
        }
        var adopted = 0;
        foreach (var (version, checksum) in recorded)
        {
            var expected = MigrationChecksum.Of(SqliteSchema.Migrations[version - 1]);
            if (checksum is null)
            {
                Execute(writer, tx, "UPDATE schema_version SET checksum = $sum WHERE version = $v", ("$sum", expected), ("$v", version));
                adopted++;
            }
            else if (checksum != expected)
            {
                throw MigrationChecksum.Edited(DatabasePath, version);
            }
        }
        return adopted;
    }

    /// <summary>Runs <paramref name="work"/> in one write transaction on the writer connection, committed before it returns.</summary>
    internal Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken ct) =>
        WriteAsync((c, tx, _) => work(c, tx), ct);

    /// <summary>As the other overload, with the ingest hot path's prepared statements enlisted in the transaction.</summary>
    internal async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, SqliteCommitCommands, T> work, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var writer = _writer ?? throw NotInitialized();
            // BEGIN IMMEDIATE: take the write lock up front, so that a transaction that reads (a binding) and then
            // writes can never fail half-way because another process wrote in between.
            using var tx = writer.BeginTransaction(deferred: false);
            var commands = _commit!;
            commands.Enlist(tx);
            var result = work(writer, tx, commands);
            tx.Commit();
            _checkpointer?.Committed();
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Copies every WAL frame into the database file and truncates the WAL to zero bytes, so that what a secure delete
    /// zeroed leaves no older copy in the WAL. Best effort: a reader still holding an old snapshot keeps the WAL from
    /// being reset (it is then reused from the start by later commits); false in that case.
    /// </summary>
    internal async Task<bool> TruncateWalAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var writer = _writer ?? throw NotInitialized();
            return _checkpointer!.Exclusive(() =>
            {
                using var cmd = writer.CreateCommand();
                cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                using var result = cmd.ExecuteReader();
                // One row: busy (1 when it could not complete), WAL frames, frames checkpointed.
                return result.Read() && result.GetInt64(0) == 0;
            });
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/> on a pooled read connection (the last committed state).</summary>
    internal Task<T> ReadAsync<T>(Func<SqliteConnection, T> work, CancellationToken ct)
    {
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ct.ThrowIfCancellationRequested();
            if (!_initialized)
            {
                throw NotInitialized();
            }
            using var connection = new SqliteConnection(_readerConnectionString);
            connection.Open();
            Pragma(connection, $"busy_timeout = {_busyTimeoutMs}");
            return Task.FromResult(work(connection));
        }
        catch (OperationCanceledException e)
        {
            return Task.FromCanceled<T>(e.CancellationToken.IsCancellationRequested ? e.CancellationToken : ct);
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        // Wait for a running write to finish rather than closing the connection under it.
        _writeLock.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _checkpointer?.Dispose();
            _commit?.Dispose();
            _writer?.Dispose();
            // Pooled reader handles would keep the file (and its -wal/-shm) open after the store is gone.
            using var pooled = new SqliteConnection(_readerConnectionString);
            SqliteConnection.ClearPool(pooled);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private InvalidOperationException NotInitialized() =>
        new($"The store at {DatabasePath} is not initialised; call {nameof(InitializeAsync)} first.");
}
