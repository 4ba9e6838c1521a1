namespace Vitals.Simulators.BleSimulator.Peripherals;

/// <summary>The simulated device models (kinds cycle in this order).</summary>
internal enum DeviceKind
{
    Thermometer,
    BloodPressure,
    Scale,
    Respiratory,
}
