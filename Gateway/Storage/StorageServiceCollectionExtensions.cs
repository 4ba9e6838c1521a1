using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Vitals.Gateway.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <c>Storage</c> options (validated at start-up) and the store as a singleton
    /// <see cref="IGatewayStore"/>. Whoever starts the gateway or a CLI verb calls
    /// <see cref="IGatewayStore.InitializeAsync"/> once before using it.
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
        services.TryAddSingleton<SqliteStore>();
        services.TryAddSingleton<IGatewayStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.TryAddSingleton<IDeliveryLedger>(sp => sp.GetRequiredService<SqliteStore>());
        return services;
    }
}
