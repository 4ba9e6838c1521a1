using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Delivery;

public static class PreSendValidationServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>Ehr:ValidateBeforeSend</c> (checked at start-up) and registers the <see cref="ObservationValidator"/>
    /// (its specification loads on first use) and the delivery loop's <see cref="PreSendValidation"/>.
    /// </summary>
    public static IServiceCollection AddPreSendValidation(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PreSendValidationOptions>()
            .Bind(configuration.GetSection(PreSendValidationOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PreSendValidationOptions>, PreSendValidationOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ObservationValidator>();
        services.TryAddSingleton<PreSendValidation>();
        return services;
    }
}
