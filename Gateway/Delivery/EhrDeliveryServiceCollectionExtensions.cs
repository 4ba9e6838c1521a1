using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Vitals.Gateway.Delivery;

public static class EhrDeliveryServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <c>Ehr</c> options (validated at start-up), the <see cref="RetryPolicy"/> and the singleton
    /// <see cref="FhirSender"/>. Needs logging; adds <see cref="TimeProvider.System"/> unless a TimeProvider is registered.
    /// </summary>
    public static IServiceCollection AddEhrDelivery(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<EhrOptions>().Bind(configuration.GetSection(EhrOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EhrOptions>, EhrOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new RetryPolicy(
            sp.GetRequiredService<IOptions<EhrOptions>>().Value.Retry, Random.Shared.NextDouble));
        services.TryAddSingleton<FhirSender>();
        return services;
    }
}
