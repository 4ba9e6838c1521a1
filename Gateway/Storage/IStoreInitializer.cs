namespace Vitals.Gateway.Storage;

/// <summary>
/// Opens the store and brings its schema to this version (idempotent). Whoever starts the worker or a CLI verb calls
/// it once before any other store interface is used.
/// </summary>
public interface IStoreInitializer
{
    Task InitializeAsync(CancellationToken ct);
}
