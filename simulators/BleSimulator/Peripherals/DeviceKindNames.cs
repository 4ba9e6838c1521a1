using Vitals.Devices;

namespace Vitals.Simulators.BleSimulator.Peripherals;

/// <summary>Names of device kinds in the control API, and what each measures.</summary>
internal static class DeviceKindNames
{
    public static string ToApiName(this DeviceKind kind) => kind switch
    {
        DeviceKind.Thermometer => "thermometer",
        DeviceKind.BloodPressure => "blood-pressure",
        DeviceKind.Scale => "scale",
        DeviceKind.Respiratory => "respiratory",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static VitalKind Measures(this DeviceKind kind) => kind switch
    {
        DeviceKind.Thermometer => VitalKind.BodyTemperature,
        DeviceKind.BloodPressure => VitalKind.BloodPressure,
        DeviceKind.Scale => VitalKind.BodyWeight,
        DeviceKind.Respiratory => VitalKind.RespiratoryRate,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static string DefaultName(this DeviceKind kind) => kind switch
    {
        DeviceKind.Thermometer => "Vitals Thermometer",
        DeviceKind.BloodPressure => "Vitals BP Monitor",
        DeviceKind.Scale => "Vitals Scale",
        DeviceKind.Respiratory => "Vitals Resp Sensor",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
