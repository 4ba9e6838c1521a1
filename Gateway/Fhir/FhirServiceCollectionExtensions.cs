using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Vitals.Gateway.Fhir;

public static class FhirServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates the <c>Fhir</c> section at start-up (README "Configuration": invalid configuration stops start-up with a
    /// message naming the key) and registers the <see cref="ReadingMapper"/>.
    /// </summary>
    public static IServiceCollection AddFhirMapping(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FhirOptions>()
            .Bind(configuration.GetSection(FhirOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FhirOptions>, FhirOptionsValidator>());
        services.AddOptions<TestDataOptions>().Bind(configuration.GetSection(TestDataOptions.SectionName));
        services.TryAddSingleton<GatewayDevice>();
        services.AddSingleton<ReadingMapper>();
        services.TryAddSingleton<ReadingAdmission>();
        return services;
    }
}
