using Vitals.Gateway.Storage;
using Vitals.Gateway.Storage.Sqlite;

namespace Vitals.Gateway.Tests.Storage;

/// <summary>The SQLite file itself: WAL, the write lock another process holds, schema versions, checksums, migration of old files.</summary>
public sealed class SqliteFileTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Commit_waits_while_another_process_holds_the_write_lock()
    {
        var store = await _temp.OpenAsync();
        using var other = _temp.OpenRaw();
        TempStore.ExecuteRaw(other, "BEGIN IMMEDIATE");
        TempStore.ExecuteRaw(other,
            "INSERT INTO bindings (device_id, patient, bound_at) VALUES ('thermo-1', 'Patient/123', '2026-11-25T07:00:00.0000000Z')");

        var commit = Task.Run(() => store.Ingest.CommitAsync(Some.ThermometerBatch("thermo-1", 1), None));
        await Task.Delay(100);
        TempStore.ExecuteRaw(other, "COMMIT");

        // Had the commit not waited for the lock, it would have failed with SQLITE_BUSY or missed the binding.
        Assert.Equal([IngestOutcome.Queued], await commit);
    }

    [Fact]
    public async Task A_binding_another_process_makes_or_ends_reaches_the_next_commit()
    {
        var store = await _temp.OpenAsync();
        // The first commit caches the slot as unbound (SqliteCommitCommands keeps slots across batches).
        Assert.Equal([IngestOutcome.Quarantined], await store.Ingest.CommitAsync(Some.ThermometerBatch("thermo-1", 1), None));
        using var other = _temp.OpenRaw();

        TempStore.ExecuteRaw(other,
            "INSERT INTO bindings (device_id, patient, bound_at) VALUES ('thermo-1', 'Patient/123', '2020-01-01T00:00:00.0000000Z')");
        Assert.Equal([IngestOutcome.Queued], await store.Ingest.CommitAsync(Some.ThermometerBatch("thermo-1", 1, firstMinute: 1), None));

        TempStore.ExecuteRaw(other, "UPDATE bindings SET unbound_at = '2021-01-01T00:00:00.0000000Z' WHERE device_id = 'thermo-1'");
        Assert.Equal([IngestOutcome.Quarantined], await store.Ingest.CommitAsync(Some.ThermometerBatch("thermo-1", 1, firstMinute: 2), None));
    }

    [Fact]
    public async Task A_binding_this_process_makes_or_ends_reaches_the_next_commit()
    {
        var store = await _temp.OpenAsync();
        Assert.Equal([IngestOutcome.Quarantined], await store.Ingest.CommitAsync(Some.ThermometerBatch("thermo-1", 1), None));

        await store.Bindings.BindAsync("thermo-1", null, Some.BoundPatient, Some.MeasuredAt.AddMinutes(1), None);
        Assert.Equal([IngestOutcome.Queued], await store.Ingest.CommitAsync(Some.ThermometerBatch("thermo-1", 1, firstMinute: 1), None));

        await store.Bindings.UnbindAsync("thermo-1", null, Some.MeasuredAt.AddMinutes(2), None);
        Assert.Equal([IngestOutcome.Quarantined], await store.Ingest.CommitAsync(Some.ThermometerBatch("thermo-1", 1, firstMinute: 2), None));
    }

    [Fact]
    public async Task Initialize_creates_the_folder_uses_wal_and_records_the_schema_version_once()
    {
        Assert.False(Directory.Exists(Path.GetDirectoryName(_temp.DatabasePath)));
        var store = await _temp.OpenAsync();

        await store.InitializeAsync(None);
        (await _temp.OpenAsync()).Dispose();

        Assert.True(File.Exists(_temp.DatabasePath));
        Assert.Equal(_temp.DatabasePath, store.DatabasePath);
        using var raw = _temp.OpenRaw();
        Assert.Equal(SqliteSchema.CurrentVersion, TempStore.ExecuteRaw(raw, "SELECT count(*) FROM schema_version"));
        Assert.Equal(SqliteSchema.CurrentVersion, TempStore.ExecuteRaw(raw, "SELECT max(version) FROM schema_version"));
        using var mode = raw.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", mode.ExecuteScalar());
    }

    [Fact]
    public async Task A_file_from_a_newer_gateway_is_refused()
    {
        (await _temp.OpenAsync()).Dispose();
        using (var raw = _temp.OpenRaw())
        {
            TempStore.ExecuteRaw(raw, "INSERT INTO schema_version (version, applied_at) VALUES (99, '2030-01-01T00:00:00.0000000Z')");
        }

        var store = _temp.Create();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.InitializeAsync(None));
        Assert.Contains("schema version 99", error.Message);
    }

    [Fact]
    public async Task The_wal_is_copied_into_the_database_file_off_the_writer_after_commits()
    {
        var store = await _temp.OpenAsync();
        var before = new FileInfo(_temp.DatabasePath).Length;

        // Far fewer pages than the writer's own automatic threshold (SqliteWalCheckpointer.BackstopPages), so only
        // the background checkpoint can bring them into the database file.
        for (var batch = 0; batch < 4; batch++)
        {
            await store.Ingest.CommitAsync(Some.ThermometerBatch($"thermo-{batch}", 500), None);
        }
        Assert.Equal(before, new FileInfo(_temp.DatabasePath).Length);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (new FileInfo(_temp.DatabasePath).Length <= before && DateTime.UtcNow < deadline)
        {
            // The checkpoint waits SqliteWalCheckpointer.Interval on the store's (fake) clock after a commit.
            _temp.Clock.Advance(SqliteWalCheckpointer.Interval);
            await Task.Delay(20);
        }
        Assert.True(new FileInfo(_temp.DatabasePath).Length > before + 100 * 4096,
            $"database file {new FileInfo(_temp.DatabasePath).Length} bytes, {before} before the commits");
        Assert.Equal(2000L, await CountAsync(store));

        static async Task<long> CountAsync(StoreSet store) =>
            (await store.Quarantine.ListQuarantineAsync(null, 5000, None)).Count;
    }

    [Fact]
    public async Task Normal_synchronous_mode_stores_the_same()
    {
        var store = await _temp.OpenAsync(SqliteSynchronous.Normal);

        Assert.Equal([IngestOutcome.Quarantined], await store.Ingest.CommitAsync(Some.ThermometerBatch("thermo-1", 1), None));
        store.Dispose();
        Assert.Single(await (await _temp.OpenAsync()).Quarantine.ListQuarantineAsync(null, 10, None));
    }

    [Fact]
    public async Task A_version_1_file_migrates_to_the_ledger_keeping_its_outbox()
    {
        // A version-1 store: the schema of the first release, as that gateway left it.
        Directory.CreateDirectory(Path.GetDirectoryName(_temp.DatabasePath)!);
        using (var v1 = _temp.OpenRaw())
        using (var cmd = v1.CreateCommand())
        {
            cmd.CommandText = SqliteSchema.CreateVersionTable + SqliteSchema.Migrations[0]
                + "INSERT INTO schema_version VALUES (1, '2026-01-01T00:00:00.0000000Z');";
            cmd.ExecuteNonQuery();
        }

        using var store = await _temp.OpenAsync();

        using var check = _temp.OpenRaw();
        Assert.Equal(SqliteSchema.CurrentVersion, TempStore.ExecuteRaw(check, "SELECT max(version) FROM schema_version"));
        Assert.Equal(1, TempStore.ExecuteRaw(check, "SELECT count(*) FROM sqlite_master WHERE name = 'delivery_ledger'"));
        Assert.Equal(1, TempStore.ExecuteRaw(check, "SELECT count(*) FROM sqlite_master WHERE name = 'ix_readings_queued_device'"));
    }

    [Fact]
    public async Task A_file_from_before_checksums_adopts_them_and_an_edited_migration_is_then_refused_naming_its_version()
    {
        // A version-2 file as a gateway without checksums left it: schema_version has no checksum column.
        Directory.CreateDirectory(Path.GetDirectoryName(_temp.DatabasePath)!);
        using (var v2 = _temp.OpenRaw())
        {
            TempStore.ExecuteRaw(v2, SqliteSchema.CreateVersionTable + SqliteSchema.Migrations[0] + SqliteSchema.Migrations[1]
                + "INSERT INTO schema_version VALUES (1, '2026-01-01T00:00:00.0000000Z'), (2, '2026-02-01T00:00:00.0000000Z');");
        }

        (await _temp.OpenAsync()).Dispose();

        Assert.Equal(SqliteSchema.CurrentVersion, _temp.Sql("SELECT count(*) FROM schema_version WHERE length(checksum) = 64"));
        Assert.Equal(1, _temp.Sql(
            $"SELECT count(*) FROM schema_version WHERE version = 2 AND checksum = '{MigrationChecksum.Of(SqliteSchema.Migrations[1])}'"));

        // As if migration 2 had been edited after this file ran it.
        _temp.Sql("UPDATE schema_version SET checksum = 'aa' || substr(checksum, 3) WHERE version = 2");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _temp.Create().InitializeAsync(None));
        Assert.Contains("migration 2 ", error.Message);
    }

    [Fact]
    public void A_migration_checksum_ignores_line_endings_and_sees_any_other_edit()
    {
        var sql = SqliteSchema.Migrations[0];

        Assert.Equal(MigrationChecksum.Of(sql), MigrationChecksum.Of(sql.ReplaceLineEndings("\r\n")));
        Assert.NotEqual(MigrationChecksum.Of(sql), MigrationChecksum.Of(sql.Replace("TEXT", "text", StringComparison.Ordinal)));
    }
}
