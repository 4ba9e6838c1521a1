using System.Globalization;
using Vitals.Devices.Gatt;

namespace Vitals.Simulators.BleSimulator.Peripherals;

/// <summary>
/// What a simulated device serves in its Device Information Service 0x180A (DIS 1.1) and its battery level: a maker and
/// model per device model, a serial and a System ID per peripheral (so that two devices of one model differ), as the
/// real devices of docs/devices.md carry them. The System ID is the peripheral's address with 0xFFFE inserted after the
/// OUI, the encapsulation DIS 1.1 (3.1) describes for a System ID based on a Bluetooth Device Address.
/// </summary>
internal sealed record DeviceInformationValues(string Manufacturer, string Model, string Serial, string Firmware, SystemId SystemId, byte BatteryPercent)
{
    public const string Maker = "Vitals Simulated Devices";
    public const string FirmwareRevision = "2.4.1";

    public static DeviceInformationValues For(Peripheral peripheral)
    {
        ArgumentNullException.ThrowIfNull(peripheral);
        var model = peripheral.Kind switch
        {
            DeviceKind.Thermometer => "VS-TH120",
            DeviceKind.BloodPressure => "VS-BP330",
            DeviceKind.Scale => "VS-WS210",
            DeviceKind.Respiratory => "VS-RR100",
            _ => throw new ArgumentOutOfRangeException(nameof(peripheral), peripheral.Kind, null),
        };
        var octets = peripheral.Address.Split(':').Select(o => byte.Parse(o, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)).ToArray();
        ulong eui = 0;
        foreach (var octet in octets.Take(3).Concat(new byte[] { 0xFF, 0xFE }).Concat(octets.Skip(3)))
        {
            eui = eui << 8 | octet;
        }
        var serial = string.Create(CultureInfo.InvariantCulture, $"{model[3..5]}{peripheral.Index + 1:D6}");
        // Full batteries look the same everywhere; a per-device level shows that each device's own value arrives.
        var battery = (byte)(100 - peripheral.Index % 40);
        return new DeviceInformationValues(Maker, model, serial, FirmwareRevision, new SystemId(eui), battery);
    }

    /// <summary>The value of a DIS characteristic, or null when <paramref name="uuid"/> is not one this device serves.</summary>
    public byte[]? Value(ushort uuid)
    {
        var text = uuid switch
        {
            GattUuids.ManufacturerName => Manufacturer,
            GattUuids.ModelNumber => Model,
            GattUuids.SerialNumber => Serial,
            GattUuids.FirmwareRevision => Firmware,
            _ => null,
        };
        if (text is not null)
        {
            var buffer = new byte[DeviceInformationText.MaxLength * 4];
            return DeviceInformationText.TryFormat(text, buffer, out var written) ? buffer[..written] : null;
        }
        if (uuid != GattUuids.SystemId) return null;
        var value = new byte[SystemId.Length];
        return SystemId.TryFormat(value, out _) ? value : null;
    }
}
