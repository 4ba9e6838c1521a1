namespace Vitals.Gateway.Ingest.Ble;

/// <summary>Whether the Bluetooth stack is open (<see cref="Reason"/>: why not, as the stack said).</summary>
public sealed record BleStackState(bool Available, string? Reason);
