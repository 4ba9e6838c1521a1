using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Ingest.Ble.BlueZ;

namespace Vitals.Gateway.Ingest.Ble;

/// <summary>Registration of the Bluetooth LE source.</summary>
public static class BleServiceCollectionExtensions
{
    /// <summary>Options (validated at start-up), the status registry and, when Ble:Enabled, the BlueZ source.</summary>
    public static IServiceCollection AddBleIngest(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BleOptions>().Bind(configuration.GetSection(BleOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BleOptions>, BleOptionsValidator>());
        services.TryAddSingleton<BleDeviceRegistry>();
        services.TryAddSingleton<BleMetrics>();
        services.TryAddSingleton<NearbyDevices>();
        services.TryAddSingleton<AttendedPairing>();
        if (!configuration.GetValue<bool>($"{BleOptions.SectionName}:{nameof(BleOptions.Enabled)}"))
        {
            return services;
        }
        services.TryAddSingleton<BluetoothConnector>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BleOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Vitals.Gateway.Ingest.Ble.BlueZ");
            return async ct => await BlueZBluetooth.ConnectAsync(options.DBusAddress, options.Adapter, options.CallTimeout, options.ConnectTimeout, time, logger, ct).ConfigureAwait(false);
        });
        services.AddHostedService<BleIngestService>();
        return services;
    }
}
