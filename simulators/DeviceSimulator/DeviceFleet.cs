using Vitals.Devices;

namespace Vitals.Simulators.DeviceSimulator;

/// <summary>The devices a simulator run publishes for: <c>devicesPerKind</c> of each kind, in kind order.</summary>
public static class DeviceFleet
{
    public static IReadOnlyList<SimulatedDevice> Create(string prefix, IReadOnlyList<VitalKind> kinds, int devicesPerKind)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(devicesPerKind, 1);
        var devices = new List<SimulatedDevice>(kinds.Count * devicesPerKind);
        foreach (var kind in kinds)
        {
            for (var n = 1; n <= devicesPerKind; n++)
            {
                devices.Add(new SimulatedDevice(SimulatedDevice.IdFor(prefix, kind, n), kind, n));
            }
        }
        return devices;
    }
}
