using Vitals.Gateway.Storage;
using Vitals.Gateway.Storage.Sqlite;

namespace Vitals.Gateway.Tests.Storage;

/// <summary>Passkeys in the SQLite file: wiped from the file and its WAL, not merely deleted; tables of earlier builds.</summary>
public sealed class SqlitePairingsFileTests : IDisposable
{
    private readonly TempStore _temp = new();

    [Fact]
    public async Task A_file_whose_pairing_table_an_earlier_build_created_outside_the_migrations_migrates_and_keeps_its_passkeys()
    {
        // Schema version 3 plus the table an earlier build created on first use.
        (await _temp.OpenAsync()).Dispose();
        using (var raw = _temp.OpenRaw())
        {
            TempStore.ExecuteRaw(raw, "DELETE FROM schema_version WHERE version >= 4; DROP TABLE ble_pending_pairing; DROP TABLE mqtt_credentials; ALTER TABLE outbox DROP COLUMN isolated;"
                + " DROP INDEX ux_bindings_slot_current; DROP INDEX ix_bindings_slot; ALTER TABLE bindings DROP COLUMN user_index; ALTER TABLE readings DROP COLUMN user_index;"
                + " CREATE TABLE IF NOT EXISTS ble_pending_pairing(address TEXT PRIMARY KEY, passkey INTEGER NOT NULL, created_at TEXT NOT NULL);"
                + " INSERT INTO ble_pending_pairing VALUES ('C0:FF:EE:00:00:04', 4242, '2026-11-30T10:00:00.0000000Z');");
        }

        var store = await _temp.OpenAsync();

        Assert.Equal(4242u, await store.Pairings.GetAsync("C0:FF:EE:00:00:04", CancellationToken.None));
        using var check = _temp.OpenRaw();
        Assert.Equal(SqliteSchema.CurrentVersion, TempStore.ExecuteRaw(check, "SELECT max(version) FROM schema_version"));
    }

    [Fact]
    public async Task A_passkey_expires_ten_minutes_after_it_was_stored_and_is_then_wiped_from_the_file_and_its_wal()
    {
        var store = await _temp.OpenAsync();
        const string address = "C0:FF:EE:00:00:07";
        await store.Pairings.SetAsync(address, 123456, _temp.Clock.GetUtcNow(), CancellationToken.None);

        _temp.Clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        Assert.Equal(123456u, await store.Pairings.GetAsync(address, CancellationToken.None));
        Assert.True(FileHolds(address), "the address is in the store while its passkey waits");

        _temp.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await store.Pairings.GetAsync(address, CancellationToken.None));

        using var raw = _temp.OpenRaw();
        Assert.Equal(0, TempStore.ExecuteRaw(raw, "SELECT count(*) FROM ble_pending_pairing"));
        // Wiped, not only deleted: no copy of the row is left in the freed space of a page or in the WAL.
        Assert.False(FileHolds(address), "a copy of the expired pairing is left in the store's files");
    }

    [Fact]
    public async Task A_removed_passkey_leaves_no_copy_in_the_files_either()
    {
        var store = await _temp.OpenAsync();
        await store.Pairings.SetAsync("C0:FF:EE:00:00:08", 654321, _temp.Clock.GetUtcNow(), CancellationToken.None);

        await store.Pairings.RemoveAsync("C0:FF:EE:00:00:08", CancellationToken.None);

        Assert.False(FileHolds("C0:FF:EE:00:00:08"));
    }

    /// <summary>Whether the database file or its WAL holds <paramref name="text"/> anywhere, live or freed.</summary>
    private bool FileHolds(string text)
    {
        var needle = System.Text.Encoding.UTF8.GetBytes(text);
        return new[] { _temp.DatabasePath, _temp.DatabasePath + "-wal" }.Where(File.Exists).Any(path =>
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.GetBuffer().AsSpan(0, (int)copy.Length).IndexOf(needle) >= 0;
        });
    }

    public void Dispose() => _temp.Dispose();
}
