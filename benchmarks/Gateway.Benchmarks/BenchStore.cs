using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Benchmarks;

/// <summary>
/// The store as the gateway registers it (<c>AddGatewayStore</c>) on one SQLite file or PostgreSQL database, for the benchmark verbs that
/// fill or read a store without a whole gateway host.
/// </summary>
internal sealed class BenchStore : IDisposable
{
    private readonly ServiceProvider _services;

    private BenchStore(ServiceProvider services) => _services = services;

    public IIngestCommit Ingest => _services.GetRequiredService<IIngestCommit>();
    public IDeviceBindings Bindings => _services.GetRequiredService<IDeviceBindings>();
    public IStoreStatus Status => _services.GetRequiredService<IStoreStatus>();
    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public static Task<BenchStore> OpenAsync(string path) =>
        OpenAsync(new Dictionary<string, string?> { ["Storage:Path"] = path });

    /// <summary>The store any <c>Storage</c> settings describe (<c>Storage:Provider=Postgres</c> with a connection string).</summary>
    public static async Task<BenchStore> OpenAsync(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings)
            .Build();
        var services = new ServiceCollection().AddLogging().AddGatewayStore(configuration).BuildServiceProvider();
        await services.GetRequiredService<IStoreInitializer>().InitializeAsync(CancellationToken.None).ConfigureAwait(false);
        return new BenchStore(services);
    }

    public void Dispose() => _services.Dispose();
}
