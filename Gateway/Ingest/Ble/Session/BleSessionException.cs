namespace Vitals.Gateway.Ingest.Ble.Session;

/// <summary>A device did not do what a session needed and the connection attempt ends (not discovered, the link dropped at once, no RACP response).</summary>
public sealed class BleSessionException(string message) : Exception(message);
