namespace Vitals.Gateway.Ingest.Ble;

/// <summary>Characteristic properties (Core spec vol 3 part G 3.3.1.1), the bits InTheHand and Web Bluetooth expose.</summary>
[Flags]
public enum GattCharacteristicProperties
{
    None = 0,
    Broadcast = 0x01,
    Read = 0x02,
    WriteWithoutResponse = 0x04,
    Write = 0x08,
    Notify = 0x10,
    Indicate = 0x20,
    AuthenticatedSignedWrites = 0x40,
    ExtendedProperties = 0x80,
}
