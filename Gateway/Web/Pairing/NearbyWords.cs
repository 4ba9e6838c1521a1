using Vitals.Devices.Gatt;
using Vitals.Gateway.Ingest.Ble;

namespace Vitals.Gateway.Web.Pairing;

/// <summary>
/// A discovered health device in plain words: its kind from the health services it advertises (Bluetooth SIG
/// Assigned Numbers, 16-bit service UUIDs), its name, and its signal strength as strong, good or weak.
/// </summary>
internal static class NearbyWords
{
    // RSSI in dBm: about -60 and above is a device within a metre or two; below -75 pairing and readings may fail.
    public const short StrongFrom = -60;
    public const short GoodFrom = -75;

    public static string Describe(NearbyDevice device) =>
        $"{Kind(device.HealthServices)}{(string.IsNullOrWhiteSpace(device.Name) ? "" : " “" + device.Name.Trim() + "”")}, signal {Signal(device.Rssi)}";

    /// <summary>The first health service the device advertises, in words (the order of <see cref="HealthGatt.Services"/>).</summary>
    public static string Kind(IReadOnlyList<BluetoothUuid> services) => (services.Count == 0 ? null : services[0].ShortId) switch
    {
        GattUuids.HealthThermometerService => "Thermometer",
        GattUuids.BloodPressureService => "Blood pressure monitor",
        GattUuids.WeightScaleService => "Weighing scale",
        GattUuids.PulseOximeterService => "Pulse oximeter",
        GattUuids.GenericHealthSensorService => "Health sensor",
        GattUuids.HeartRateService => "Heart rate monitor",
        _ => "Health device",
    };

    public static string Signal(short? rssi) => rssi switch
    {
        null => "not heard just now",
        >= StrongFrom => "strong",
        >= GoodFrom => "good",
        _ => "weak",
    };

    /// <summary>The list item's element id: <c>nearby-C0-FF-EE-00-00-02</c>.</summary>
    public static string ElementId(string address) => "nearby-" + address.Replace(':', '-');
}
