namespace Vitals.Simulators.BleSimulator.Peripherals;

/// <summary>
/// One reading a device took: the ground truth the control API reports (/readings). <see cref="Delivered"/> is
/// updated when a stored reading is later indicated or lost.
/// </summary>
internal sealed class SimulatedReading
{
    public required string Address { get; init; }

    /// <summary>The vital kind as MQTT topics spell it ("body-temperature").</summary>
    public required string Kind { get; init; }

    /// <summary>The characteristic, 16-bit lower-case hex as in topics ("2a1c").</summary>
    public required string Uuid { get; set; }

    /// <summary>The characteristic value (for GHS the whole record, before segmentation), lower-case hex.</summary>
    public required string Hex { get; set; }

    /// <summary>When the reading was taken, true UTC.</summary>
    public required DateTimeOffset TakenAt { get; init; }

    /// <summary>The time stamp as encoded: device-local wall clock "yyyy-MM-ddTHH:mm:ss", or UTC with "Z" for GHS.</summary>
    public required string DeviceTime { get; init; }

    /// <summary>The measured values by name ("temperature", "systolic", ...), numbers as the device encoded them.</summary>
    public required IReadOnlyDictionary<string, object> Values { get; init; }

    public required string Delivered { get; set; }

    /// <summary>The user index the reading carries (the user button pressed on a shared cuff or scale), or null.</summary>
    public int? User { get; init; }

    /// <summary>GHS stored records: the record number RACP reports.</summary>
    public uint? RecordNumber { get; set; }
}
