namespace Vitals.Gateway.Storage;

/// <summary>What the status page, the CLI and the health check show: the store's counts.</summary>
public interface IStoreStatus
{
    Task<OutboxStatus> GetOutboxStatusAsync(CancellationToken ct);
}
