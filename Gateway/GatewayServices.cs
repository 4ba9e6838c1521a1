using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Ingest.Ble;
using Vitals.Gateway.Ingest.Mqtt;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway;

/// <summary>What the gateway is made of, in data-flow order. The CLI takes the core; <c>run</c> adds the worker.</summary>
public static class GatewayServices
{
    /// <summary>Decoder, mapper and store: enough for every CLI verb (they share the worker's code paths).</summary>
    public static IServiceCollection AddGatewayCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();

        services.AddOptions<IngestOptions>().Bind(configuration.GetSection(IngestOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>());
        services.TryAddSingleton<MessageDecoder>();

        // The CLI reads them too: `devices credentials` hashes with Mqtt:CredentialIterations.
        services.AddOptions<MqttOptions>().Bind(configuration.GetSection(MqttOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MqttOptions>, MqttOptionsValidator>());

        services.AddFhirMapping(configuration);
        services.AddGatewayStore(configuration);
        return services;
    }

    /// <summary>The running worker: broker or broker client, group-commit writer, delivery loop.</summary>
    public static IServiceCollection AddGatewayWorker(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MqttLimitsOptions>().Bind(configuration.GetSection(MqttLimitsOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MqttLimitsOptions>, MqttLimitsOptionsValidator>());
        services.AddOptions<MqttTlsOptions>().Bind(configuration.GetSection(MqttTlsOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MqttTlsOptions>, MqttTlsOptionsValidator>());
        services.TryAddSingleton<MqttFrontDoor>();
        services.AddEhrDelivery(configuration);
        services.AddPreSendValidation(configuration);
        services.AddMetrics();
        services.TryAddSingleton<GatewayMetrics>();
        services.TryAddSingleton<IngestPipeline>();
        services.TryAddSingleton<DeliveryTrigger>();
        services.TryAddSingleton<IOutboxSignal>(sp => sp.GetRequiredService<DeliveryTrigger>());

        // Hosted services start in this order and stop in reverse: the store is ready before any source connects, and
        // the sources stop before the writer, so nothing new arrives while it stops. A message queued but not yet
        // committed is never acknowledged; its publisher (or the broker's session) sends it again after the restart.
        services.AddHostedService<StoreInitializer>();
        services.AddHostedService<ExpiredPasskeySweeper>();
        services.AddHostedService<IngestWriter>();
        // An unknown mode is reported by the options binding at start-up, naming Mqtt:Mode.
        if (Enum.TryParse<MqttMode>(configuration[$"{MqttOptions.Section}:{nameof(MqttOptions.Mode)}"], ignoreCase: true, out var mode)
            && mode == MqttMode.External)
            services.AddHostedService<ExternalBrokerClient>();
        else
            services.AddHostedService<EmbeddedBroker>();
        // Ble:Enabled adds the Bluetooth LE source beside the broker; its options are validated either way.
        services.AddBleIngest(configuration);
        services.AddHostedService<EhrCapabilityCheck>();
        services.AddHostedService<DeliveryService>();
        // Resident memory that follows the work, not its peak (docs/performance.md "Memory").
        services.AddHostedService<NativeHeapTrimmer>();
        return services;
    }

    /// <summary>Creates or migrates the store before anything else runs.</summary>
    private sealed class StoreInitializer(IStoreInitializer store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
