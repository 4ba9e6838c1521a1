namespace Vitals.Gateway.Ingest.Ble;

/// <summary>
/// A health device seen in discovery: its address, advertised name, signal strength in dBm (null: not heard in this
/// discovery) and the health services it advertises (<see cref="HealthGatt.Services"/> only, never empty).
/// </summary>
public sealed record NearbyDevice(string Address, string? Name, short? Rssi, IReadOnlyList<BluetoothUuid> HealthServices, bool Paired);
