namespace Vitals.Gateway.Ingest.Ble.Session;

/// <summary>One value a session received, in arrival order, with the clock of the connection it arrived on.</summary>
internal sealed record BleNotification(BluetoothUuid Uuid, byte[] Value, DateTimeOffset ReceivedAt, ConnectionClock Clock);
