using Vitals.Devices;

namespace Vitals.Gateway.Storage;

/// <summary>
/// What each device says about itself (Device Information Service, MQTT <c>device</c> object, battery level), kept
/// per device: the delivery maps it onto the FHIR Device, the status page shows it.
/// </summary>
public interface IDeviceInformation
{
    /// <summary>
    /// Records what <paramref name="deviceId"/> reported at <paramref name="at"/>. Parts it left out (null) keep the
    /// value recorded before: a payload that names only the firmware does not erase the maker.
    /// </summary>
    Task SaveAsync(string deviceId, DeviceInformation information, DateTimeOffset at, CancellationToken ct);

    /// <summary>The record of one device, or null when it never said anything about itself.</summary>
    Task<DeviceRecord?> GetAsync(string deviceId, CancellationToken ct);

    /// <summary>Every device's record, by device id.</summary>
    Task<IReadOnlyList<DeviceRecord>> ListAsync(CancellationToken ct);
}
