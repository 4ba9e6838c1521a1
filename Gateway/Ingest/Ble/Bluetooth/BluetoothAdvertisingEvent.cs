namespace Vitals.Gateway.Ingest.Ble;

/// <summary>
/// A device was seen advertising, or what it advertises changed (Web Bluetooth <c>BluetoothAdvertisingEvent</c> /
/// InTheHand <c>BluetoothAdvertisingEvent</c>): its name, the received signal strength in dBm and the service UUIDs it
/// advertises.
/// </summary>
public sealed record BluetoothAdvertisingEvent(BluetoothDevice Device, string? Name, short? Rssi, IReadOnlyList<BluetoothUuid> Uuids);
