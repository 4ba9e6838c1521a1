namespace Vitals.Devices.Gatt;

/// <summary>The 16-bit Bluetooth SIG UUIDs (Assigned Numbers) of docs/devices.md, "Services and characteristics".</summary>
public static class GattUuids
{
    public const ushort HealthThermometerService = 0x1809;
    public const ushort BloodPressureService = 0x1810;
    public const ushort WeightScaleService = 0x181D;
    public const ushort GenericHealthSensorService = 0x1840;
    public const ushort PulseOximeterService = 0x1822;
    public const ushort HeartRateService = 0x180D;
    public const ushort CurrentTimeService = 0x1805;
    public const ushort DeviceInformationService = 0x180A;
    public const ushort BatteryService = 0x180F;

    public const ushort TemperatureMeasurement = 0x2A1C;
    public const ushort TemperatureType = 0x2A1D;
    public const ushort IntermediateTemperature = 0x2A1E;
    public const ushort BloodPressureMeasurement = 0x2A35;
    public const ushort IntermediateCuffPressure = 0x2A36;
    public const ushort BloodPressureFeature = 0x2A49;
    public const ushort WeightMeasurement = 0x2A9D;
    public const ushort WeightScaleFeature = 0x2A9E;
    public const ushort LiveHealthObservations = 0x2B8B;
    public const ushort StoredHealthObservations = 0x2BDD;
    public const ushort HealthSensorFeatures = 0x2BF3;
    public const ushort GhsControlPoint = 0x2BF4;
    public const ushort RecordAccessControlPoint = 0x2A52;
    public const ushort PlxSpotCheckMeasurement = 0x2A5E;
    public const ushort PlxContinuousMeasurement = 0x2A5F;
    public const ushort HeartRateMeasurement = 0x2A37;
    public const ushort CurrentTime = 0x2A2B;
    public const ushort DateTime = 0x2A08;
    public const ushort ClientCharacteristicConfiguration = 0x2902;

    // Device Information Service 1.1 characteristics (all read-only, all optional).
    public const ushort SystemId = 0x2A23;
    public const ushort ModelNumber = 0x2A24;
    public const ushort SerialNumber = 0x2A25;
    public const ushort FirmwareRevision = 0x2A26;
    public const ushort ManufacturerName = 0x2A29;
    public const ushort BatteryLevel = 0x2A19;

    /// <summary>The topic form of a 16-bit UUID: four lower-case hex digits, e.g. "2a35".</summary>
    public static string ToShort(ushort uuid) => uuid.ToString("x4", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The 128-bit form of a 16-bit UUID, as BlueZ shows it: the Bluetooth Base UUID with the 16 bits in place
    /// (Core Specification vol 3 part B 2.5.1), "00002a1c-0000-1000-8000-00805f9b34fb".
    /// </summary>
    public static string ToFull(ushort uuid) => "0000" + ToShort(uuid) + "-0000-1000-8000-00805f9b34fb";

    /// <summary>Parses the topic form of a 16-bit UUID (four hex digits, any case), e.g. "2a35".</summary>
    public static bool TryParseShort(ReadOnlySpan<char> text, out ushort uuid) =>
        ushort.TryParse(text, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out uuid)
        && text.Length == 4;
}
