namespace Vitals.Gateway.Ingest.Ble.Session;

/// <summary>A device did not do what a session needed (not discovered, no RACP response, an unusable clock).</summary>
public sealed class BleSessionException(string message) : Exception(message);
