using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary>
/// A prepared statement run through SQLitePCL (the library under Microsoft.Data.Sqlite) directly, for the two
/// statements the writer runs for every reading: the readings insert and the outbox insert.
/// </summary>
/// <remarks>
/// Hand-written because Microsoft.Data.Sqlite allocates, on every execution, a binder object and a UTF-8 copy of every
/// string for each parameter, and a data reader; on the one writer every reading queues behind, that was the largest
/// share of the ingest path's allocations (docs/performance.md, "The SQLite writer's statements"). Strings are bound as
/// UTF-16 (<c>sqlite3_bind_text16</c>, copied by SQLite: SQLITE_TRANSIENT), which SQLite stores in the database's
/// encoding. The statement runs on the connection's open transaction like any command of that connection.
/// </remarks>
internal sealed class RawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public RawStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("the connection is not open");
        // PERSISTENT: kept for the life of the store (SQLite C API, sqlite3_prepare_v3, SQLITE_PREPARE_PERSISTENT).
        SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v3(_db, sql, raw.SQLITE_PREPARE_PERSISTENT, out _statement), _db);
    }

    /// <summary>The index of a named parameter (<c>$name</c>); a name the statement does not have is a bug.</summary>
    public int Index(string name)
    {
        var index = raw.sqlite3_bind_parameter_index(_statement, name);
        return index > 0 ? index : throw new ArgumentException($"the statement has no parameter {name}", nameof(name));
    }

    public void Text(int index, string? value) => Check(value switch
    {
        null => raw.sqlite3_bind_null(_statement, index),
        // An empty span would reach SQLite as a null pointer, which binds NULL rather than ''.
        "" => raw.sqlite3_bind_text(_statement, index, value),
        _ => raw.sqlite3_bind_text16(_statement, index, value.AsSpan()),
    });

    public void Blob(int index, byte[] value) => Check(value.Length == 0
        ? raw.sqlite3_bind_zeroblob(_statement, index, 0)
        : raw.sqlite3_bind_blob(_statement, index, value));

    public void Integer(int index, long? value) => Check(value is { } v
        ? raw.sqlite3_bind_int64(_statement, index, v)
        : raw.sqlite3_bind_null(_statement, index));

    /// <summary>Runs the statement; the first column of the row it returns (RETURNING), or null when it returns none.</summary>
    public long? Run()
    {
        try
        {
            var rc = raw.sqlite3_step(_statement);
            if (rc == raw.SQLITE_DONE)
            {
                return null;
            }
            if (rc != raw.SQLITE_ROW)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }
            var value = raw.sqlite3_column_int64(_statement, 0);
            rc = raw.sqlite3_step(_statement);
            if (rc == raw.SQLITE_ROW)
            {
                throw new InvalidOperationException("the statement returned more than one row");
            }
            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }
            return value;
        }
        finally
        {
            // Ready for the next run, and no longer holding the statement's read of the table (SQLite C API, sqlite3_reset).
            raw.sqlite3_reset(_statement);
        }
    }

    private void Check(int rc) => SqliteException.ThrowExceptionForRC(rc, _db);

    public void Dispose() => _statement.Dispose();
}
