using System.Text.RegularExpressions;
using Hl7.Fhir.Model;

namespace Vitals.Gateway.Fhir;

/// <summary>
/// The business identifier of a measuring Device: a Bluetooth address (upper case, colon-separated, as BlueZ writes it) as
/// the PHD IG's eui-48/bluetooth identifier with dashes, anything else under <see cref="FhirOptions.DeviceIdentifierSystem"/>.
/// The sender creates the Device conditionally on it (<see cref="ObservationIdentifier.ToSearchQuery"/>).
/// </summary>
public static partial class DeviceIdentifier
{
    public static bool IsBluetoothAddress(string deviceId) => BluetoothAddress().IsMatch(deviceId);

    public static Identifier Create(string deviceId, FhirOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentNullException.ThrowIfNull(options);
        // PHD IG STU 2 (PhdDevice, "Device Identifier codes"): a transport address is typed BTMAC; the type does not
        // take part in the conditional create, which searches on system and value only.
        return IsBluetoothAddress(deviceId)
            ? new Identifier(FhirSystems.BluetoothAddress, deviceId.Replace(':', '-')) { Type = PhdDeviceDescription.BtmacType() }
            : new Identifier(options.DeviceIdentifierSystem, deviceId);
    }

    [GeneratedRegex("^([0-9A-F]{2}:){5}[0-9A-F]{2}$")]
    private static partial Regex BluetoothAddress();
}
