using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Storage.Postgres;
using Vitals.Gateway.Storage.Sqlite;

namespace Vitals.Gateway.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <c>Storage</c> options (validated at start-up) and the store: one database and, over it, one
    /// singleton per consumer-shaped interface. Whoever starts the gateway or a CLI verb calls
    /// <see cref="IStoreInitializer.InitializeAsync"/> once before using any of them.
    /// </summary>
    public static IServiceCollection AddGatewayStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<StorageOptions>()
            .Bind(configuration.GetSection(StorageOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SqliteDatabase>();
        services.TryAddSingleton<PostgresDatabase>();
        services.TryAddSingleton<IStoreInitializer>(sp => IsPostgres(sp)
            ? sp.GetRequiredService<PostgresDatabase>()
            : sp.GetRequiredService<SqliteDatabase>());
        Add<IIngestCommit, SqliteIngestCommit, PostgresIngestCommit>(services);
        Add<IDeviceBindings, SqliteDeviceBindings, PostgresDeviceBindings>(services);
        Add<IQuarantine, SqliteQuarantine, PostgresQuarantine>(services);
        Add<IPatientReadings, SqlitePatientReadings, PostgresPatientReadings>(services);
        Add<IRejectedMessages, SqliteRejectedMessages, PostgresRejectedMessages>(services);
        Add<IOutbox, SqliteOutbox, PostgresOutbox>(services);
        Add<IStoreStatus, SqliteStoreStatus, PostgresStoreStatus>(services);
        Add<IDeadLetters, SqliteDeadLetters, PostgresDeadLetters>(services);
        Add<IDeliveryLedger, SqliteDeliveryLedger, PostgresDeliveryLedger>(services);
        Add<IPendingPairings, SqlitePendingPairings, PostgresPendingPairings>(services);
        Add<IDeviceCredentials, SqliteDeviceCredentials, PostgresDeviceCredentials>(services);
        Add<IEnrolmentCodes, SqliteEnrolmentCodes, PostgresEnrolmentCodes>(services);
        Add<IAdminPassword, SqliteAdminPassword, PostgresAdminPassword>(services);
        services.TryAddSingleton<SqliteDeviceInformation>();
        services.TryAddSingleton<PostgresDeviceInformation>();
        services.TryAddSingleton<IDeviceInformation>(sp => IsPostgres(sp)
            ? sp.GetRequiredService<PostgresDeviceInformation>()
            : sp.GetRequiredService<SqliteDeviceInformation>());
        services.TryAddSingleton<IGatewayIdentity>(sp => IsPostgres(sp)
            ? sp.GetRequiredService<PostgresDeviceInformation>()
            : sp.GetRequiredService<SqliteDeviceInformation>());
        services.TryAddSingleton<SqliteDeliveryStatistics>();
        services.TryAddSingleton<PostgresDeliveryStatistics>();
        services.TryAddSingleton<IDeliveryStatistics>(sp => IsPostgres(sp)
            ? sp.GetRequiredService<PostgresDeliveryStatistics>()
            : sp.GetRequiredService<SqliteDeliveryStatistics>());
        services.TryAddSingleton<IStoreHealth>(sp => IsPostgres(sp)
            ? sp.GetRequiredService<PostgresDeliveryStatistics>()
            : sp.GetRequiredService<SqliteDeliveryStatistics>());
        return services;
    }

    /// <summary>
    /// The provider is read from the validated options when the service is first resolved, not when it is
    /// registered: configuration sources added later (the command line, a test's overrides) still decide.
    /// </summary>
    private static bool IsPostgres(IServiceProvider sp) =>
        sp.GetRequiredService<IOptions<StorageOptions>>().Value.Provider == StorageProvider.Postgres;

    private static void Add<TService, TSqlite, TPostgres>(IServiceCollection services)
        where TService : class
        where TSqlite : TService
        where TPostgres : TService =>
        services.TryAddSingleton<TService>(sp => IsPostgres(sp)
            ? ActivatorUtilities.CreateInstance<TPostgres>(sp)
            : ActivatorUtilities.CreateInstance<TSqlite>(sp));
}
