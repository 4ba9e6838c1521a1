using System.Globalization;

namespace Vitals.Gateway.Ingest.Ble;

/// <summary>
/// A value of the 16-bit GATT <paramref name="Characteristic"/> indicated or notified by the Bluetooth device
/// <paramref name="Address"/>, received through the local adapter <paramref name="Adapter"/> (BlueZ's <c>hci0</c>).
/// </summary>
public sealed record BleSource(string Adapter, string Address, ushort Characteristic) : IngestSource
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"ble {Address} 0x{Characteristic:X4}");
}
