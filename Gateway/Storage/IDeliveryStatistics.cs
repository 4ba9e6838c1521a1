namespace Vitals.Gateway.Storage;

/// <summary>The status page's charts and device table: what happened per hour, and per device since an instant.</summary>
/// <remarks>
/// Implementations select plain rows by a time range (no date functions in SQL, so every store runs the same
/// statements) and fold them with <see cref="HourlyBuckets"/>.
/// </remarks>
public interface IDeliveryStatistics
{
    /// <summary>
    /// <paramref name="hours"/> consecutive hours from <paramref name="from"/> (which the caller rounds to an hour):
    /// readings received, delivered and messages rejected in each, and the receipt -> EHR acknowledged latencies of
    /// the readings delivered in it.
    /// </summary>
    Task<IReadOnlyList<HourlyStatistics>> GetHourlyAsync(DateTimeOffset from, int hours, CancellationToken ct);

    /// <summary>Devices that sent readings since <paramref name="since"/>: how many, and when the last one was taken.</summary>
    Task<IReadOnlyList<DeviceActivity>> GetDeviceActivityAsync(DateTimeOffset since, CancellationToken ct);
}
