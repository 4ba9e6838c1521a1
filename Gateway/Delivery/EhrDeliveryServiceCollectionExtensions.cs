using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery.Auth;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Delivery.Senders;

namespace Vitals.Gateway.Delivery;

public static class EhrDeliveryServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <c>Ehr</c> options, <c>Ehr:Auth</c> included (validated at start-up), the <see cref="RetryPolicy"/>,
    /// the <see cref="IEhrAuthenticator"/> <c>Ehr:Auth:Mode</c> asks for, the one pooled <see cref="EhrHttpClient"/>,
    /// <see cref="EhrCompatibility"/> and the <see cref="IEhrSender"/> of <c>Ehr:Profile</c> (single-post needs the
    /// store's <see cref="Storage.IDeliveryLedger"/>). Needs logging; adds <see cref="TimeProvider.System"/> unless a
    /// TimeProvider is registered.
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
        services.TryAddSingleton<IEhrAuthenticator>(sp =>
        {
            var ehr = sp.GetRequiredService<IOptions<EhrOptions>>();
            return ehr.Value.Auth.Mode == EhrAuthMode.SmartBackendServices
                ? new SmartTokenClient(ehr, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SmartTokenClient>>())
                : new StaticEhrAuthenticator(ehr.Value.Auth);
        });
        services.TryAddSingleton(sp => new EhrHttpClient(
            sp.GetRequiredService<IOptions<EhrOptions>>(), sp.GetRequiredService<IEhrAuthenticator>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<EhrHttpClient>>()));
        services.TryAddSingleton<DeliveryHealth>();
        services.TryAddSingleton<EhrPatientLookup>();
        services.TryAddSingleton(sp => new EhrServerPreset(sp.GetRequiredService<IOptions<EhrOptions>>().Value));
        services.TryAddSingleton(sp => new EhrCompatibility(
            sp.GetRequiredService<IOptions<EhrOptions>>().Value.Compatibility, sp.GetRequiredService<EhrServerPreset>()));
        services.TryAddSingleton<GatewayDeviceRegistration>();
        // The agent is the gateway Device; its server id only where a store (and so the registration) exists.
        services.TryAddSingleton(sp =>
        {
            var fhir = sp.GetRequiredService<IOptions<Fhir.FhirOptions>>();
            var gateway = sp.GetService<Fhir.GatewayDevice>();
            return new DeliveryProvenance(
                fhir, gateway ?? new Fhir.GatewayDevice(fhir), sp.GetRequiredService<TimeProvider>(),
                gateway is null || sp.GetService<Storage.IGatewayIdentity>() is null ? null : sp.GetRequiredService<GatewayDeviceRegistration>());
        });
        services.TryAddSingleton<ConditionalCreateSender>();
        services.TryAddSingleton<TransactionSender>();
        services.TryAddSingleton<SinglePostSender>();
        services.TryAddSingleton<IEhrSender>(sp => sp.GetRequiredService<IOptions<EhrOptions>>().Value.Profile switch
        {
            EhrProfile.SinglePost => sp.GetRequiredService<SinglePostSender>(),
            EhrProfile.FhirConditional => sp.GetRequiredService<ConditionalCreateSender>(),
            _ => sp.GetRequiredService<TransactionSender>(),
        });
        return services;
    }
}
