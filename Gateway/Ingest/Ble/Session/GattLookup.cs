namespace Vitals.Gateway.Ingest.Ble.Session;

internal static class GattLookup
{
    /// <summary>
    /// A characteristic of a primary service, or null when the device lacks either. Found by UUID, never by handle:
    /// BlueZ's object paths carry ATT handles, which differ between devices and firmware (docs/bluez.md).
    /// </summary>
    public static async Task<GattCharacteristic?> FindAsync(BluetoothDevice device, ushort service, ushort characteristic, CancellationToken ct)
    {
        var s = await device.Gatt.GetPrimaryServiceAsync(service, ct).ConfigureAwait(false);
        return s is null ? null : await s.GetCharacteristicAsync(characteristic, ct).ConfigureAwait(false);
    }

    public static bool Can(this GattCharacteristic characteristic, GattCharacteristicProperties property) =>
        (characteristic.Properties & property) != 0;
}
