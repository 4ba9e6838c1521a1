using Vitals.Devices;

namespace Vitals.Gateway.Storage;

/// <summary>A reading that no binding of its slot (device, user index) covered when it was committed.</summary>
public sealed record QuarantinedReading(long ReadingId, string DeviceId, Reading Reading, DateTimeOffset ReceivedAt);
