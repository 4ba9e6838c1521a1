using Vitals.Simulators.BleSimulator.Peripherals;

namespace Vitals.Simulators.BleSimulator.Bluez;

/// <summary>One client's SetDiscoveryFilter. bluetoothd merges the filters of all clients, so a device any of them accepts is reported to all.</summary>
internal sealed class DiscoveryFilter
{
    /// <summary>Full lower-case 128-bit UUIDs; null or empty: any.</summary>
    public HashSet<string>? Uuids { get; set; }

    public string Transport { get; set; } = "auto";

    public short? Rssi { get; set; }

    public string? Pattern { get; set; }

    public bool Accepts(Peripheral p)
    {
        if (Transport == "bredr")
        {
            return false; // every simulated device is LE only
        }
        if (Uuids is { Count: > 0 } uuids && !p.Services.Any(s => uuids.Contains(GattLayout.FullUuid(s.Uuid))))
        {
            return false;
        }
        if (Pattern is { Length: > 0 } pattern
            && !p.Address.StartsWith(pattern, StringComparison.OrdinalIgnoreCase)
            && !p.Name.StartsWith(pattern, StringComparison.Ordinal))
        {
            return false;
        }
        return Rssi is not { } rssi || -52 - p.Index % 30 >= rssi;
    }
}
