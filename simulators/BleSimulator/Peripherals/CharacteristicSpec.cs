namespace Vitals.Simulators.BleSimulator.Peripherals;

/// <summary>A characteristic a device model offers: 16-bit UUID and the GattCharacteristic1.Flags BlueZ shows for it.</summary>
internal sealed record CharacteristicSpec(ushort Uuid, IReadOnlyList<string> Flags)
{
    public bool CanRead => Flags.Contains("read");

    public bool CanWrite => Flags.Contains("write") || Flags.Contains("write-without-response");

    public bool CanNotify => Flags.Contains("notify") || Flags.Contains("indicate");
}
