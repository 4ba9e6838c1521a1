using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Vitals.Gateway.Tests.Storage;

namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>
/// The whole gateway (the same <see cref="GatewayHost.Build"/> the executable runs) inside the test process, on free
/// loopback ports and a temporary store. For tests that must kill the process, see GatewayProcess.
/// </summary>
public sealed class InProcessGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessGateway(WebApplication app, string directory, int mqttPort)
    {
        _app = app;
        Directory = directory;
        MqttPort = mqttPort;
    }

    public string Directory { get; }
    public int MqttPort { get; }
    public string StorePath => Path.Combine(Directory, "gateway.db");
    public IServiceProvider Services => _app.Services;
    public StoreSet Store => new(_app.Services);

    /// <summary>The web host's address (Web:Urls), e.g. <c>http://127.0.0.1:5080</c>.</summary>
    public string WebUrl => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    /// <param name="ehrBaseUrl">the EHR; by default a loopback port where nothing listens (deliveries retry)</param>
    /// <param name="configureServices">replaces services after the gateway registered its own (a test clock)</param>
    public static async Task<InProcessGateway> StartAsync(
        string? ehrBaseUrl = null, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "vg-test-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        // The web host picks its own port (0: WebUrl reads it back). The broker's port is picked here, free a moment
        // ago; another process may take it before the broker binds, so a start that lost that race tries a new one.
        for (var attempt = 1; ; attempt++)
        {
            var mqttPort = FreePort.Next();
            var config = new Dictionary<string, string?>
            {
                ["Storage:Path"] = Path.Combine(dir, "gateway.db"),
                ["Mqtt:Port"] = mqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Web:Urls"] = "http://127.0.0.1:0",
                ["Ehr:BaseUrl"] = ehrBaseUrl ?? $"http://127.0.0.1:{FreePort.Next()}/fhir/R4/",
                ["Serilog:MinimumLevel:Default"] = "Warning",
            };
            if (settings is not null)
                foreach (var (k, v) in settings) config[k] = v;
            var app = GatewayHost.Build([], config, configureServices);
            try
            {
                await app.StartAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt < 3 && IsAddressInUse(ex))
            {
                await app.DisposeAsync().ConfigureAwait(false);
                continue;
            }
            catch
            {
                await app.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            return new InProcessGateway(app, dir, int.Parse(config["Mqtt:Port"]!, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static bool IsAddressInUse(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse }
                || ex.GetType().Name == "AddressInUseException")
                return true;
        }
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
