namespace Vitals.Gateway.Storage;

/// <summary>Readings that no binding of their slot (device, user index) covered when they arrived. Newest first.</summary>
public interface IQuarantine
{
    Task<IReadOnlyList<QuarantinedReading>> ListQuarantineAsync(string? deviceId, int limit, CancellationToken ct);

    /// <summary>
    /// Moves quarantined readings (all, or one device's) that a binding of their own slot now covers (its validity
    /// contains their effective time) to the outbox under that binding's patient. Returns how many moved.
    /// </summary>
    Task<int> ReleaseQuarantineAsync(string? deviceId, CancellationToken ct);
}
