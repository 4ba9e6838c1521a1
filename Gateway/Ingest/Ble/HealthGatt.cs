using Vitals.Devices.Gatt;

namespace Vitals.Gateway.Ingest.Ble;

/// <summary>The services discovery looks for and the characteristics a session arms (docs/devices.md).</summary>
public static class HealthGatt
{
    public static readonly IReadOnlyList<BluetoothUuid> Services =
    [
        GattUuids.HealthThermometerService, GattUuids.BloodPressureService, GattUuids.WeightScaleService,
        GattUuids.GenericHealthSensorService, GattUuids.PulseOximeterService, GattUuids.HeartRateService,
    ];

    /// <summary>
    /// Armed on every connection. 0x2A36 is armed but never a reading (the cuff inflating); RACP and the GHS control
    /// point carry responses; 0x2A2B is read, not armed.
    /// </summary>
    public static readonly IReadOnlySet<BluetoothUuid> Armed = new HashSet<BluetoothUuid>
    {
        GattUuids.TemperatureMeasurement, GattUuids.BloodPressureMeasurement, GattUuids.IntermediateCuffPressure,
        GattUuids.WeightMeasurement, GattUuids.LiveHealthObservations, GattUuids.StoredHealthObservations,
        GattUuids.HeartRateMeasurement, GattUuids.PlxSpotCheckMeasurement, GattUuids.RecordAccessControlPoint,
        GattUuids.GhsControlPoint,
    };
}
