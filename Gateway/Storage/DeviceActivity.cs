namespace Vitals.Gateway.Storage;

/// <summary>A device's readings since an instant: how many, when the last was received and when it was taken.</summary>
public sealed record DeviceActivity(string DeviceId, long Readings, DateTimeOffset LastReceived, DateTimeOffset LastTaken);
