using Vitals.Devices;

namespace Vitals.Gateway.Storage;

/// <summary>A reading of a device that had no patient binding when it was committed.</summary>
public sealed record QuarantinedReading(long ReadingId, string DeviceId, Reading Reading, DateTimeOffset ReceivedAt);
