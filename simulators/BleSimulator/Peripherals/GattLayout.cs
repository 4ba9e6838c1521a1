using Vitals.Devices.Gatt;

namespace Vitals.Simulators.BleSimulator.Peripherals;

/// <summary>
/// The GATT databases of the device models (docs/devices.md). Every model has a Device Information Service: BlueZ's
/// deviceinfo plugin is an external profile, so bluetoothd does not claim 0x180A and exports it like any other
/// service. Battery 0x180F is left out: the battery plugin claims it and shows it as org.bluez.Battery1 on the device
/// object instead (docs/bluez.md).
/// </summary>
internal static class GattLayout
{
    private static readonly string[] Read = ["read"];
    private static readonly string[] Indicate = ["indicate"];
    private static readonly string[] Notify = ["notify"];
    private static readonly string[] WriteIndicate = ["write", "indicate"];

    private static readonly ServiceSpec DeviceInformation = new(GattUuids.DeviceInformationService,
    [
        new(GattUuids.ManufacturerName, Read),
        new(GattUuids.ModelNumber, Read),
        new(GattUuids.SerialNumber, Read),
        new(GattUuids.FirmwareRevision, Read),
        new(GattUuids.SystemId, Read),
    ]);

    public static IReadOnlyList<ServiceSpec> For(DeviceKind kind) => [.. Health(kind), DeviceInformation];

    private static IReadOnlyList<ServiceSpec> Health(DeviceKind kind) => kind switch
    {
        DeviceKind.Thermometer =>
        [
            new(GattUuids.HealthThermometerService, [new(GattUuids.TemperatureMeasurement, Indicate), new(GattUuids.TemperatureType, Read)]),
            new(GattUuids.CurrentTimeService, [new(GattUuids.CurrentTime, ["read", "notify"])]),
        ],
        DeviceKind.BloodPressure =>
        [
            new(GattUuids.BloodPressureService,
            [
                new(GattUuids.BloodPressureMeasurement, Indicate),
                new(GattUuids.IntermediateCuffPressure, Notify),
                new(GattUuids.BloodPressureFeature, Read),
            ]),
            new(GattUuids.CurrentTimeService, [new(GattUuids.CurrentTime, ["read", "write", "notify"])]),
        ],
        DeviceKind.Scale =>
        [
            new(GattUuids.WeightScaleService, [new(GattUuids.WeightMeasurement, Indicate), new(GattUuids.WeightScaleFeature, Read)]),
        ],
        DeviceKind.Respiratory =>
        [
            new(GattUuids.GenericHealthSensorService,
            [
                new(GattUuids.LiveHealthObservations, Notify),
                new(GattUuids.StoredHealthObservations, Indicate),
                new(GattUuids.HealthSensorFeatures, Read),
                new(GattUuids.GhsControlPoint, WriteIndicate),
                new(GattUuids.RecordAccessControlPoint, WriteIndicate),
            ]),
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The characteristic a device's readings are sent on (live observations for GHS).</summary>
    public static ushort MeasurementUuid(DeviceKind kind) => kind switch
    {
        DeviceKind.Thermometer => GattUuids.TemperatureMeasurement,
        DeviceKind.BloodPressure => GattUuids.BloodPressureMeasurement,
        DeviceKind.Scale => GattUuids.WeightMeasurement,
        DeviceKind.Respiratory => GattUuids.LiveHealthObservations,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The full 128-bit form BlueZ shows: "00002a1c-0000-1000-8000-00805f9b34fb".</summary>
    public static string FullUuid(ushort uuid) => GattUuids.ToFull(uuid);
}
