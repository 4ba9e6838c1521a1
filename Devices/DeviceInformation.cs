namespace Vitals.Devices;

/// <summary>
/// What a device says about itself: the Device Information Service of a Bluetooth device (docs/devices.md), or the
/// optional <c>device</c> object of an MQTT payload (README, "MQTT contract"). Every part is optional; a part a device
/// did not state is null. <see cref="SystemId"/> is the EUI-64 in the PHD IG's form (<c>00-1B-44-FF-FE-11-3A-B7</c>);
/// <see cref="BatteryPercent"/> the battery level BlueZ reports (org.bluez.Battery1 Percentage, 0 to 100).
/// </summary>
public sealed record DeviceInformation
{
    public string? Manufacturer { get; init; }
    public string? Model { get; init; }
    public string? Serial { get; init; }
    public string? Firmware { get; init; }
    public string? SystemId { get; init; }
    public int? BatteryPercent { get; init; }

    public bool IsEmpty => Manufacturer is null && Model is null && Serial is null && Firmware is null && SystemId is null && BatteryPercent is null;

    /// <summary>This record's parts where stated, <paramref name="earlier"/>'s otherwise: a later report that leaves a part out does not erase it.</summary>
    public DeviceInformation Over(DeviceInformation? earlier) => earlier is null ? this : new DeviceInformation
    {
        Manufacturer = Manufacturer ?? earlier.Manufacturer,
        Model = Model ?? earlier.Model,
        Serial = Serial ?? earlier.Serial,
        Firmware = Firmware ?? earlier.Firmware,
        SystemId = SystemId ?? earlier.SystemId,
        BatteryPercent = BatteryPercent ?? earlier.BatteryPercent,
    };
}
