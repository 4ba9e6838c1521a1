namespace Vitals.Simulators.BleSimulator.Peripherals;

/// <summary>The simulated device models (README.md of the simulator: kinds cycle in this order).</summary>
internal enum DeviceKind
{
    Thermometer,
    BloodPressure,
    Scale,
    Respiratory,
}
