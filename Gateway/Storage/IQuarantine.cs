namespace Vitals.Gateway.Storage;

/// <summary>Readings of devices that were not bound when they arrived. Newest first.</summary>
public interface IQuarantine
{
    Task<IReadOnlyList<QuarantinedReading>> ListQuarantineAsync(string? deviceId, int limit, CancellationToken ct);

    /// <summary>Moves quarantined readings of bound devices (all, or one device's) to the outbox. Returns how many moved.</summary>
    Task<int> ReleaseQuarantineAsync(string? deviceId, CancellationToken ct);
}
