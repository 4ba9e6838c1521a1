using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
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
        services.TryAddSingleton<IStoreInitializer>(sp => sp.GetRequiredService<SqliteDatabase>());
        services.TryAddSingleton<IIngestCommit, SqliteIngestCommit>();
        services.TryAddSingleton<IDeviceBindings, SqliteDeviceBindings>();
        services.TryAddSingleton<IQuarantine, SqliteQuarantine>();
        services.TryAddSingleton<IRejectedMessages, SqliteRejectedMessages>();
        services.TryAddSingleton<IOutbox, SqliteOutbox>();
        services.TryAddSingleton<IStoreStatus, SqliteStoreStatus>();
        services.TryAddSingleton<IDeadLetters, SqliteDeadLetters>();
        services.TryAddSingleton<IDeliveryLedger, SqliteDeliveryLedger>();
        services.TryAddSingleton<IPendingPairings, SqlitePendingPairings>();
        services.TryAddSingleton<IDeviceCredentials, SqliteDeviceCredentials>();
        services.TryAddSingleton<SqliteDeliveryStatistics>();
        services.TryAddSingleton<IDeliveryStatistics>(sp => sp.GetRequiredService<SqliteDeliveryStatistics>());
        services.TryAddSingleton<IStoreHealth>(sp => sp.GetRequiredService<SqliteDeliveryStatistics>());
        return services;
    }
}
