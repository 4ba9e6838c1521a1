using Microsoft.Data.Sqlite;
using Vitals.Gateway.Storage.Sqlite;

namespace Vitals.Gateway.Tests.Storage;

/// <summary>
/// The writer's hand-bound statements store exactly what Microsoft.Data.Sqlite would: text as text (not as a blob),
/// '' as '' (not NULL), any Unicode unchanged, bytes unchanged, NULL as NULL.
/// </summary>
public sealed class RawStatementTests : IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public RawStatementTests()
    {
        _connection.Open();
        using var create = _connection.CreateCommand();
        create.CommandText = "CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT UNIQUE, s TEXT, b BLOB, n INTEGER)";
        create.ExecuteNonQuery();
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("")]
    [InlineData("Größe ✓ 🙂 \\ \" ' ")]
    [InlineData(null)]
    public void Text_bytes_and_integers_read_back_as_bound(string? text)
    {
        using var insert = new RawStatement(_connection, "INSERT INTO t (k, s, b, n) VALUES ($k, $s, $b, $n) ON CONFLICT (k) DO NOTHING RETURNING id");
        byte[] bytes = text is null ? [] : [0, 1, 0xFF, 0x7B];
        insert.Text(insert.Index("$k"), "key");
        insert.Text(insert.Index("$s"), text);
        insert.Blob(insert.Index("$b"), bytes);
        insert.Integer(insert.Index("$n"), text is null ? null : -42);

        var id = insert.Run();
        // The same key again: ON CONFLICT DO NOTHING returns no row.
        var again = insert.Run();

        Assert.Equal(1, id);
        Assert.Null(again);
        using var read = _connection.CreateCommand();
        read.CommandText = "SELECT s, typeof(s), b, typeof(b), n FROM t";
        using var r = read.ExecuteReader();
        Assert.True(r.Read());
        Assert.Equal(text is null ? "null" : "text", r.GetString(1));
        if (text is not null) Assert.Equal(text, r.GetString(0));
        Assert.Equal("blob", r.GetString(3));
        Assert.Equal(bytes, (byte[])r.GetValue(2));
        Assert.Equal(text is null, r.IsDBNull(4));
        if (text is not null) Assert.Equal(-42, r.GetInt64(4));
    }

    [Fact]
    public void A_constraint_failure_is_an_exception_that_names_it_and_the_statement_stays_usable()
    {
        using var insert = new RawStatement(_connection, "INSERT INTO t (id, k) VALUES ($id, $k)");
        insert.Integer(insert.Index("$id"), 1);
        insert.Text(insert.Index("$k"), "a");
        insert.Run();

        var e = Assert.Throws<SqliteException>(() => insert.Run());

        Assert.Contains("UNIQUE constraint failed", e.Message, StringComparison.Ordinal);
        insert.Integer(insert.Index("$id"), 2);
        insert.Text(insert.Index("$k"), "b");
        Assert.Null(insert.Run());
    }

    [Fact]
    public void A_parameter_the_statement_does_not_have_is_refused()
    {
        using var insert = new RawStatement(_connection, "INSERT INTO t (k) VALUES ($k)");
        Assert.Throws<ArgumentException>(() => insert.Index("$key"));
    }

    public void Dispose() => _connection.Dispose();
}
