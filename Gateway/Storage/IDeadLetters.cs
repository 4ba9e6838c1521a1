namespace Vitals.Gateway.Storage;

/// <summary>Readings the EHR refused for good, for an operator to read, replay after a fix, or purge. Newest first.</summary>
public interface IDeadLetters
{
    Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int limit, CancellationToken ct);

    /// <summary>Puts dead letters (one, or all when null) back into the outbox with a fresh attempt count. Returns how many.</summary>
    Task<int> ReplayDeadLettersAsync(long? deadLetterId, CancellationToken ct);

    /// <summary>Deletes dead letters (one, or all when null); the readings stay, so resends are still recognised. Returns how many.</summary>
    Task<int> PurgeDeadLettersAsync(long? deadLetterId, CancellationToken ct);
}
