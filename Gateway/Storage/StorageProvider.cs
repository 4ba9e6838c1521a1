namespace Vitals.Gateway.Storage;

/// <summary>The store behind the store (<c>Storage:Provider</c>, README "Configuration").</summary>
public enum StorageProvider
{
    /// <summary>One SQLite file in WAL mode, shared by the worker, the web page and the CLI on one machine.</summary>
    Sqlite,

    /// <summary>PostgreSQL for a fleet: several gateway instances share one database (<c>Storage:ConnectionString</c>).</summary>
    Postgres,
}
