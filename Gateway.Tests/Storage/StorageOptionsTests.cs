using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Storage.Postgres;
using Vitals.Gateway.Storage.Sqlite;

namespace Vitals.Gateway.Tests.Storage;

public sealed class StorageOptionsTests
{
    private static ValidateOptionsResult Validate(StorageOptions options) => new StorageOptionsValidator().Validate(null, options);

    [Fact]
    public void Defaults_are_a_durable_sqlite_file_under_data()
    {
        var options = new StorageOptions();

        Assert.Equal((StorageProvider.Sqlite, "data/gateway.db", SqliteSynchronous.Full), (options.Provider, options.Path, options.Synchronous));
        Assert.Equal(Path.Combine(Directory.GetCurrentDirectory(), "data", "gateway.db"), options.ResolvePath());
        Assert.True(Validate(options).Succeeded);
    }

    [Fact]
    public void Postgres_with_a_connection_string_is_accepted()
    {
        var options = new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = "Host=db.example;Database=vitals;Username=gw;Password=s3cret" };

        Assert.True(Validate(options).Succeeded);
        Assert.Equal(TimeSpan.FromMinutes(2), options.LeaseDuration);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("  ")]
    [InlineData("Host=db.example;Username=gw;Password=s3cret")]
    [InlineData("Host=db.example;Database=vitals;Password=s3cret;Bogus Keyword=1")]
    public void Postgres_without_a_usable_connection_string_is_refused_naming_the_keys_and_never_the_password(string? connectionString)
    {
        var result = Validate(new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = connectionString });

        Assert.True(result.Failed);
        Assert.Contains("Storage:ConnectionString", result.FailureMessage);
        Assert.DoesNotContain("s3cret", result.FailureMessage);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7200)]
    public void A_lease_outside_its_range_is_refused_naming_the_key(int seconds)
    {
        var result = Validate(new StorageOptions
        {
            Provider = StorageProvider.Postgres, ConnectionString = "Host=db;Database=vitals", LeaseDuration = TimeSpan.FromSeconds(seconds),
        });

        Assert.Contains("Storage:LeaseDuration", result.FailureMessage);
    }

    [Theory]
    [InlineData("", "Storage:Path")]
    [InlineData("   ", "Storage:Path")]
    [InlineData(":memory:", "Storage:Path")]
    [InlineData("file:gateway.db?mode=memory", "Storage:Path")]
    [InlineData("data/", "Storage:Path")]
    [InlineData("bad\0name.db", "Storage:Path")]
    public void Unusable_path_is_refused_naming_the_key(string path, string key)
    {
        var result = Validate(new StorageOptions { Path = path });

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage);
    }

    [Fact]
    public void Path_of_an_existing_folder_is_refused()
    {
        var result = Validate(new StorageOptions { Path = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar) });

        Assert.Contains("Storage:Path", result.FailureMessage);
    }

    [Fact]
    public void Undefined_enum_values_and_bad_timeouts_are_refused_naming_the_key()
    {
        Assert.Contains("Storage:Synchronous", Validate(new StorageOptions { Synchronous = (SqliteSynchronous)7 }).FailureMessage);
        Assert.Contains("Storage:Provider", Validate(new StorageOptions { Provider = (StorageProvider)7 }).FailureMessage);
        Assert.Contains("Storage:BusyTimeout", Validate(new StorageOptions { BusyTimeout = TimeSpan.Zero }).FailureMessage);
        Assert.Contains("Storage:BusyTimeout", Validate(new StorageOptions { BusyTimeout = TimeSpan.FromHours(1) }).FailureMessage);
    }

    [Fact]
    public void Configuration_keys_bind_and_resolve_the_store()
    {
        using var provider = Services(new()
        {
            ["Storage:Path"] = "/tmp/elsewhere/gw.db",
            ["Storage:Synchronous"] = "Normal",
            ["Storage:BusyTimeout"] = "00:00:02",
        });

        var options = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
        using var store = new StoreSet(provider);

        Assert.Equal(("/tmp/elsewhere/gw.db", SqliteSynchronous.Normal, TimeSpan.FromSeconds(2)), (options.Path, options.Synchronous, options.BusyTimeout));
        Assert.Equal("/tmp/elsewhere/gw.db", store.DatabasePath);
        // One database behind every consumer-shaped interface: the single writer and the migrations are shared.
        Assert.Same(provider.GetRequiredService<SqliteDatabase>(), store.Initializer);
    }

    [Fact]
    public void Postgres_from_configuration_without_a_database_stops_start_up_with_a_message_naming_the_key()
    {
        using var provider = Services(new() { ["Storage:Provider"] = "Postgres", ["Storage:ConnectionString"] = "Host=db;Password=s3cret" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStoreInitializer>());

        Assert.Contains("Storage:ConnectionString", error.Message);
        Assert.DoesNotContain("s3cret", error.Message);
    }

    [Fact]
    public void Postgres_from_configuration_puts_the_postgres_store_behind_every_interface_without_naming_the_password()
    {
        using var provider = Services(new()
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = "Host=db.example;Port=5433;Database=vitals;Username=gw;Password=s3cret",
            ["Storage:LeaseDuration"] = "00:00:30",
        });

        using var store = new StoreSet(provider);

        var database = provider.GetRequiredService<PostgresDatabase>();
        Assert.Same(database, store.Initializer);
        Assert.Equal(
            [typeof(PostgresIngestCommit), typeof(PostgresDeviceBindings), typeof(PostgresQuarantine), typeof(PostgresRejectedMessages),
             typeof(PostgresOutbox), typeof(PostgresStoreStatus), typeof(PostgresDeadLetters), typeof(PostgresDeliveryLedger),
             typeof(PostgresPendingPairings), typeof(PostgresDeviceCredentials)],
            new object[] { store.Ingest, store.Bindings, store.Quarantine, store.Rejected, store.Outbox, store.Status, store.DeadLetters,
                store.Ledger, store.Pairings, store.Credentials }.Select(o => o.GetType()));
        Assert.Equal(("postgresql://db.example:5433/vitals", TimeSpan.FromSeconds(30)), (database.Description, database.LeaseDuration));
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddGatewayStore(configuration).BuildServiceProvider();
    }
}
