using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Storage.Postgres;
using Vitals.Gateway.Storage.Sqlite;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Storage;

/// <summary>
/// SQLite schema version 8 and PostgreSQL version 4: bindings of a store written before the registry become the slot
/// without user index, valid from their bound_at to their unbound_at; quarantined readings keep their user index.
/// </summary>
public abstract class RegistryMigrationTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset T0 = Some.MeasuredAt;
    private protected readonly TempStore _temp;

    private protected RegistryMigrationTests(TempStore temp)
    {
        _temp = temp;
    }

    public void Dispose() => _temp.Dispose();

    /// <summary>Creates the store at the schema version before the registry, with nothing in it.</summary>
    private protected abstract void CreateStoreBeforeTheRegistry();

    private static string Text(DateTimeOffset instant) => instant.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Bindings_before_the_registry_become_the_slot_without_user_index_with_their_validity()
    {
        CreateStoreBeforeTheRegistry();
        _temp.Sql($"""
            INSERT INTO bindings (device_id, patient, bound_at, unbound_at) VALUES
                ('cuff-1', 'Patient/alice', '{Text(T0)}', '{Text(T0.AddDays(1))}'),
                ('cuff-1', 'Patient/bob', '{Text(T0.AddDays(1))}', NULL)
            """);
        var twoUser = ReadingJson.Serialize(Some.StoredCuff("cuff-1", T0.AddHours(2), "7") with { UserId = 2 });
        _temp.Sql($"""
            INSERT INTO readings (identity_key, device_id, kind, effective_time, received_at, origin, payload, reading_json, patient, state)
            VALUES ('k1', 'cuff-1', 'blood-pressure', '{Text(T0.AddHours(2))}', '{Text(T0.AddHours(2))}', 'mqtt vitals/cuff-1/blood-pressure from client c',
                    {(_temp.Provider == StorageProvider.Postgres ? "'\\x7b7d'::bytea" : "x'7B7D'")}, '{twoUser}', NULL, 'quarantined')
            """);

        using var store = await _temp.OpenAsync();

        Assert.Equal(
        [
            (null, PatientId.Parse("Patient/alice"), T0, T0.AddDays(1)),
            ((int?)null, PatientId.Parse("Patient/bob"), T0.AddDays(1), (DateTimeOffset?)null),
        ], (await store.Bindings.ListBindingsAsync("cuff-1", None)).Select(b => (b.User, b.Patient, b.From, b.To)));
        // A reading without user index goes to the migrated slot by its own time; user 2's quarantined reading is
        // released only by a binding of user 2's slot.
        Assert.Equal([IngestOutcome.Queued], await store.Ingest.CommitAsync([Some.AcceptedRecord(Some.StoredCuff("cuff-1", T0.AddHours(3), "8"))], None));
        Assert.Equal(0, await store.Quarantine.ReleaseQuarantineAsync(null, None));
        Assert.Equal(1, await store.Bindings.BindAsync("cuff-1", 2, PatientId.Parse("Patient/carol"), T0, None));
    }
}

public sealed class SqliteRegistryMigrationTests() : RegistryMigrationTests(new TempStore())
{
    private protected override void CreateStoreBeforeTheRegistry()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_temp.DatabasePath)!);
        using var raw = _temp.OpenRaw();
        using var cmd = raw.CreateCommand();
        cmd.CommandText = SqliteSchema.CreateVersionTable + string.Concat(SqliteSchema.Migrations.Take(7))
            + string.Concat(Enumerable.Range(1, 7).Select(v => $"INSERT INTO schema_version VALUES ({v}, '2026-01-01T00:00:00.0000000Z');"));
        cmd.ExecuteNonQuery();
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresRegistryMigrationTests(PostgresServer server) : RegistryMigrationTests(new TempStore(server))
{
    private protected override void CreateStoreBeforeTheRegistry()
    {
        _temp.Sql(PostgresSchema.CreateVersionTable);
        for (var v = 1; v <= 3; v++)
        {
            _temp.Sql(PostgresSchema.Migrations[v - 1]);
            _temp.Sql($"INSERT INTO schema_migrations VALUES ({v}, '{MigrationChecksum.Of(PostgresSchema.Migrations[v - 1])}', now())");
        }
    }
}
