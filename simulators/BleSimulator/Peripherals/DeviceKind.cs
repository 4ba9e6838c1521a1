namespace Vitals.Simulators.BleSimulator.Peripherals;

/// <summary>The simulated device models (BLE_CONTRACT.md: kinds cycle in this order).</summary>
internal enum DeviceKind
{
    Thermometer,
    BloodPressure,
    Scale,
    Respiratory,
}
