using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Ingest.Ble;

namespace Vitals.Gateway.Tests.Ingest.Ble;

public sealed class BleOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_and_disabled()
    {
        var options = new BleOptions();

        Assert.True(new BleOptionsValidator().Validate(null, options).Succeeded);
        Assert.False(options.Enabled);
        Assert.Equal("", options.DBusAddress);
        Assert.Equal("hci0", options.Adapter);
    }

    [Theory]
    [InlineData("unix:path=/tmp/dbus-test")]
    [InlineData("unix:abstract=/tmp/dbus-XYZ,guid=0123456789abcdef")]
    [InlineData("tcp:host=127.0.0.1,port=1234")]
    public void A_dbus_address_is_accepted(string address)
    {
        Assert.True(new BleOptionsValidator().Validate(null, new BleOptions { DBusAddress = address }).Succeeded);
    }

    [Theory]
    [InlineData("Adapter", "bluetooth0", "Ble:Adapter")]
    [InlineData("DBusAddress", "/run/dbus/system_bus_socket", "Ble:DBusAddress")]
    [InlineData("CallTimeout", "00:00:00", "Ble:CallTimeout")]
    [InlineData("ConnectTimeout", "-00:00:01", "Ble:ConnectTimeout")]
    [InlineData("ReconnectBaseDelay", "00:00:00", "Ble:ReconnectBaseDelay")]
    [InlineData("ReconnectMaxDelay", "00:00:00.5", "Ble:ReconnectMaxDelay")]
    [InlineData("BindingPollInterval", "00:00:00", "Ble:BindingPollInterval")]
    [InlineData("HeartRateInterval", "00:00:30", "Ble:HeartRateInterval")]
    [InlineData("HeartRateInterval", "02:00:00", "Ble:HeartRateInterval")]
    public void A_bad_value_fails_start_up_naming_its_key(string key, string value, string named)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ble:" + key] = value,
            ["Storage:Path"] = Path.Combine(Path.GetTempPath(), "unused.db"),
        }).Build();
        var services = new ServiceCollection().AddSingleton(TimeProvider.System).AddLogging();
        services.AddBleIngest(configuration);
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<BleOptions>>().Value);

        Assert.Contains(e.Failures, f => f.StartsWith(named, StringComparison.Ordinal));
    }

    [Fact]
    public void Disabled_registers_no_hosted_service_and_enabled_does()
    {
        static int HostedServices(bool enabled)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Ble:Enabled"] = enabled ? "true" : "false" }).Build();
            var services = new ServiceCollection();
            services.AddBleIngest(configuration);
            return services.Count(d => d.ServiceType == typeof(IHostedService));
        }

        Assert.Equal(0, HostedServices(false));
        Assert.Equal(1, HostedServices(true));
    }
}
