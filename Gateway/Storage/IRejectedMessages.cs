namespace Vitals.Gateway.Storage;

/// <summary>Messages that could not become readings, kept with their reason. Newest first.</summary>
public interface IRejectedMessages
{
    Task<IReadOnlyList<RejectedMessage>> ListRejectedAsync(int limit, CancellationToken ct);
}
