using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using static Vitals.Gateway.Storage.Sqlite.Sql;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary>
/// Copies the WAL back into the database file on a connection of its own, so that the writer's commits do not wait
/// for it (SQLite "Write-Ahead Logging", "Automatic Checkpoint" and "Application-Initiated Checkpoints": an
/// application may turn the automatic checkpoint down and run checkpoints in a separate thread).
/// </summary>
/// <remarks>
/// Why: with SQLite's default, the commit that takes the WAL past 1,000 pages runs the checkpoint inline, holding the
/// writer (and every connection's PUBACKs behind it). A fleet's batch dirties about two pages per reading (the identity
/// key, device and time indexes are inserted all over), so under load that was nearly every commit, and the copies,
/// their reads back from the WAL and the fsyncs took about 40 % of the writer's time (docs/performance.md,
/// "the WAL checkpoint off the writer"). Here a checkpoint runs at most every <see cref="Interval"/> after a
/// commit: under load it copies several commits' pages at once (a page dirtied by each of them is written once), when
/// quiet it follows the commit shortly.
/// A PASSIVE checkpoint never waits for the writer or a reader and never invokes the busy handler; it copies what no
/// reader still needs. The writer keeps a high automatic threshold (<see cref="BackstopPages"/>) as a backstop should
/// this thread fall behind, and <c>journal_size_limit</c> truncates a WAL that grew past it when it is next reset.
/// Durability is unchanged: a commit is durable when its WAL frames are synced (synchronous=FULL); a checkpoint syncs
/// the WAL before it copies and the database file after.
/// </remarks>
internal sealed class SqliteWalCheckpointer : IDisposable
{
    /// <summary>The writer's own automatic checkpoint, in pages (4 KiB): a backstop, reached only if this thread falls behind.</summary>
    public const int BackstopPages = 16_000;

    /// <summary>The WAL file is truncated to this size when it is reset after having grown larger.</summary>
    public const long JournalSizeLimitBytes = 64L * 1024 * 1024;

    /// <summary>At most one checkpoint per interval.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly SqliteConnection _connection;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _committed = new(0, 1);
    private readonly Lock _running = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public SqliteWalCheckpointer(string connectionString, SqliteSynchronous synchronous, TimeProvider time, ILogger log)
    {
        _time = time;
        _log = log;
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        // A checkpoint syncs per the connection's own setting (SQLite "PRAGMA synchronous"): the writer's.
        Pragma(_connection, synchronous == SqliteSynchronous.Full ? "synchronous = FULL" : "synchronous = NORMAL");
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Runs <paramref name="checkpoint"/> (the writer's own, e.g. a TRUNCATE after a secure delete) while no background
    /// checkpoint runs. SQLite lets one checkpoint run at a time and answers a second with SQLITE_BUSY at once, without
    /// the busy handler (SQLite "sqlite3_wal_checkpoint_v2": "If another connection is running a checkpoint"), so a
    /// TRUNCATE that met a PASSIVE one here would leave the WAL, and the wiped passkey's old page in it, in place.
    /// </summary>
    public T Exclusive<T>(Func<T> checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        lock (_running)
        {
            return checkpoint();
        }
    }

    /// <summary>A commit happened: a checkpoint follows within <see cref="Interval"/>. Cheap, and never blocks.</summary>
    public void Committed()
    {
        if (_committed.CurrentCount == 0)
        {
            try
            {
                _committed.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another commit signalled in between: one checkpoint covers both.
            }
        }
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        try
        {
            while (true)
            {
                await _committed.WaitAsync(ct).ConfigureAwait(false);
                await Task.Delay(Interval, _time, ct).ConfigureAwait(false);
                try
                {
                    lock (_running)
                    {
                        Execute(_connection, null, "PRAGMA wal_checkpoint(PASSIVE)");
                    }
                }
                catch (SqliteException e)
                {
                    // Nothing is lost: the frames stay in the WAL, and the next checkpoint (or the writer's backstop)
                    // copies them.
                    StoreLog.CheckpointFailed(_log, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    public void Dispose()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        _stop.Cancel();
        // The loop ends at its next await; a checkpoint in progress finishes first (it cannot be interrupted safely).
        _loop.GetAwaiter().GetResult();
        _connection.Dispose();
        _stop.Dispose();
        _committed.Dispose();
    }
}
