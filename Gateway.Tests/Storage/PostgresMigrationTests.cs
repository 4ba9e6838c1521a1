using Vitals.Gateway.Storage;
using Vitals.Gateway.Storage.Postgres;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Storage;

/// <summary>The PostgreSQL store's migrations: several instances starting at once, and a migration edited after it shipped.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresMigrationTests(PostgresServer server) : IDisposable
{
    private static readonly string GatewayDll = Path.Combine(AppContext.BaseDirectory, "Vitals.Gateway.dll");
    private readonly TempStore _temp = new(server);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Three_processes_migrating_an_empty_database_at_once_apply_each_migration_once()
    {
        var env = new Dictionary<string, string?>
        {
            ["Storage__Provider"] = "Postgres",
            ["Storage__ConnectionString"] = _temp.ConnectionString,
            ["DOTNET_NOLOGO"] = "1",
        };
        var processes = Enumerable.Range(1, 3)
            .Select(i => ProcessRunner.Start("dotnet", [GatewayDll, "store", "migrate"], AppContext.BaseDirectory, env, $"migrate#{i}"))
            .ToList();
        try
        {
            var exits = await Task.WhenAll(processes.Select(p => p.WaitForExitAsync(TimeSpan.FromSeconds(90))));

            Assert.True(exits.All(e => e == 0), string.Join("\n", processes.Select(p => $"{p.Name}: exit {p.ExitCode}: {p.StandardErrorTail}")));
            // Each migration once, each with its checksum: no duplicate rows from the processes that waited for the lock.
            var migrations = PostgresSchema.CurrentVersion;
            Assert.Equal(migrations, _temp.Sql("SELECT count(*) FROM schema_migrations"));
            Assert.Equal(migrations, _temp.Sql("SELECT count(DISTINCT version) FROM schema_migrations WHERE checksum ~ '^[0-9a-f]{64}$'"));
            Assert.Equal(2, _temp.Sql("SELECT count(*) FROM counters"));
            // The store they left is usable.
            using var store = await _temp.OpenAsync();
            Assert.Equal(0, (await store.Status.GetOutboxStatusAsync(CancellationToken.None)).Pending);
        }
        finally
        {
            foreach (var p in processes) await p.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_migration_whose_checksum_differs_from_the_applied_one_is_refused_naming_its_version()
    {
        (await _temp.OpenAsync()).Dispose();
        // As if the shipped migration 1 had been edited since this database ran it.
        _temp.Sql("UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE version = 1");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _temp.Create().InitializeAsync(CancellationToken.None));

        Assert.Contains("migration 1 ", error.Message);
        Assert.Contains("checksum", error.Message);
        Assert.DoesNotContain(server.Password, error.Message);
    }

    [Fact]
    public async Task A_database_from_a_newer_gateway_is_refused()
    {
        (await _temp.OpenAsync()).Dispose();
        _temp.Sql("INSERT INTO schema_migrations VALUES (99, 'x', now())");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _temp.Create().InitializeAsync(CancellationToken.None));

        Assert.Contains("schema version 99", error.Message);
    }
}
