namespace Vitals.Gateway.Storage;

/// <summary>The <c>Storage</c> configuration section (README "Configuration").</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    public const string DefaultPath = "data/gateway.db";

    /// <summary><c>Storage:Provider</c>: Sqlite (default) or Postgres (with <see cref="ConnectionString"/>).</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>
    /// <c>Storage:Path</c>: the SQLite file, relative to the current directory unless absolute. Its folder is created
    /// when missing. The CLI and the worker find the same store through the same setting.
    /// </summary>
    public string Path { get; set; } = DefaultPath;

    /// <summary>
    /// <c>Storage:ConnectionString</c>: for PostgreSQL (Npgsql keywords: <c>Host=db;Database=vitals;Username=gateway;Password=...</c>);
    /// not used by the SQLite store. A secret: never logged.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// <c>Storage:LeaseDuration</c> (PostgreSQL): how long an instance's claim on an outbox entry keeps other instances
    /// off it and its device. A crashed instance's entries are delivered by another once it has passed; it must exceed
    /// the longest delivery attempt (EHR timeout and its retries within one attempt).
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = DefaultLeaseDuration;

    public static readonly TimeSpan DefaultLeaseDuration = TimeSpan.FromMinutes(2);

    /// <summary><c>Storage:Synchronous</c>: Full (default) or Normal.</summary>
    public SqliteSynchronous Synchronous { get; set; } = SqliteSynchronous.Full;

    /// <summary>
    /// <c>Storage:BusyTimeout</c>: how long a write waits for another process (the CLI, or the worker when the CLI
    /// writes) that holds the file's write lock.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The absolute path of the SQLite file: <see cref="Path"/> resolved against the current directory.</summary>
    public string ResolvePath() => System.IO.Path.GetFullPath(Path);
}
