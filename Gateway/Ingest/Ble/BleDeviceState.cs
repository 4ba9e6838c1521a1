namespace Vitals.Gateway.Ingest.Ble;

/// <summary>What the status page shows of one bound BLE device. No patient data.</summary>
public sealed record BleDeviceState(string Address, bool Connected, DateTimeOffset? LastSeen, TimeSpan? ClockOffset, string? LastError, int Reconnects);
