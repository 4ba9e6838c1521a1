using Vitals.Gateway.Storage.Sqlite;

namespace Vitals.Gateway.Tests.Storage;

public sealed class PendingPairingsTests : IDisposable
{
    private readonly TempStore _temp = new();

    [Fact]
    public async Task A_passkey_waits_in_the_store_file_until_removed_and_a_new_one_replaces_it()
    {
        var cli = (await _temp.OpenAsync()).Pairings;
        var worker = (await _temp.OpenAsync()).Pairings; // another process, the same file

        await cli.SetAsync("C0:FF:EE:00:00:01", 123456, DateTimeOffset.UtcNow, CancellationToken.None);
        await cli.SetAsync("C0:FF:EE:00:00:01", 654321, DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(654321u, await worker.GetAsync("C0:FF:EE:00:00:01", CancellationToken.None));
        Assert.Null(await worker.GetAsync("C0:FF:EE:00:00:02", CancellationToken.None));
        await worker.RemoveAsync("C0:FF:EE:00:00:01", CancellationToken.None);
        Assert.Null(await cli.GetAsync("C0:FF:EE:00:00:01", CancellationToken.None));
    }

    [Fact]
    public async Task A_file_whose_pairing_table_an_earlier_build_created_outside_the_migrations_migrates_and_keeps_its_passkeys()
    {
        // Schema version 3 plus the table an earlier build created on first use.
        (await _temp.OpenAsync()).Dispose();
        using (var raw = _temp.OpenRaw())
        {
            TempStore.ExecuteRaw(raw, "DELETE FROM schema_version WHERE version >= 4; DROP TABLE ble_pending_pairing; DROP TABLE mqtt_credentials;"
                + " CREATE TABLE IF NOT EXISTS ble_pending_pairing(address TEXT PRIMARY KEY, passkey INTEGER NOT NULL, created_at TEXT NOT NULL);"
                + " INSERT INTO ble_pending_pairing VALUES ('C0:FF:EE:00:00:04', 4242, '2026-11-30T10:00:00.0000000Z');");
        }

        var store = await _temp.OpenAsync();

        Assert.Equal(4242u, await store.Pairings.GetAsync("C0:FF:EE:00:00:04", CancellationToken.None));
        using var check = _temp.OpenRaw();
        Assert.Equal(SqliteSchema.CurrentVersion, TempStore.ExecuteRaw(check, "SELECT max(version) FROM schema_version"));
    }

    public void Dispose() => _temp.Dispose();
}
