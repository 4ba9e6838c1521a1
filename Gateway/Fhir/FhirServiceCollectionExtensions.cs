using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<ReadingMapper>();
        return services;
    }
}
