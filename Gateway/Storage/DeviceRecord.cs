using Vitals.Devices;

namespace Vitals.Gateway.Storage;

/// <summary>A device's self-description as last reported (<see cref="IDeviceInformation"/>).</summary>
public sealed record DeviceRecord(string DeviceId, DeviceInformation Information, DateTimeOffset UpdatedAt);
