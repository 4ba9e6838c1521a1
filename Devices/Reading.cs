namespace Vitals.Devices;

/// <summary>
/// One measurement event from one device, normalised but not yet bound to a patient.
/// Single-value kinds use <see cref="Value"/>; blood pressure uses Systolic/Diastolic/MeanArterial.
/// <see cref="Pulse"/> is a pulse rate the same device reported with the measurement (it becomes its own
/// heart-rate Observation).
/// </summary>
public sealed record Reading
{
    public required string DeviceId { get; init; }
    public required VitalKind Kind { get; init; }

    /// <summary>When the measurement was taken, always with an offset.</summary>
    public required DateTimeOffset EffectiveTime { get; init; }

    public TimeQuality TimeQuality { get; init; }

    /// <summary>The device's time stamp exactly as it sent it (null when it sent none). Part of the de-duplication identity.</summary>
    public string? DeviceTime { get; init; }

    /// <summary>
    /// The device's own measurement id (JSON <c>id</c>), if it has one. Part of the de-duplication identity. (Readings
    /// stored before identity scheme 2 also hold a GHS record number here.)
    /// </summary>
    public string? MeasurementId { get; init; }

    /// <summary>
    /// The record number of a GHS stored record (Stored Health Observations 0x2BDD). Part of the identity only when the
    /// record has no time stamp: the same observation sent live carries none, and must get the same identity.
    /// </summary>
    public uint? RecordNumber { get; init; }

    public Quantity? Value { get; init; }
    public Quantity? Systolic { get; init; }
    public Quantity? Diastolic { get; init; }
    public Quantity? MeanArterial { get; init; }
    public Quantity? Pulse { get; init; }

    /// <summary>Body site for temperature, lower-case as named in the README's MQTT contract (oral, axillary, tympanic, rectal, temporal, forehead, ...).</summary>
    public string? Site { get; init; }

    public MeasurementStatus Status { get; init; }

    /// <summary>
    /// The device's user index (Bluetooth BP and weight user id) when it reported a known user; part of the
    /// de-duplication identity only when present, so the keys of readings without it do not change.
    /// </summary>
    public int? UserId { get; init; }

    /// <summary>Body mass index a scale reported with the weight (kg/m2); becomes its own Observation.</summary>
    public Quantity? Bmi { get; init; }

    /// <summary>Body height a scale reported with the weight (cm or [in_i]); becomes its own Observation.</summary>
    public Quantity? Height { get; init; }

    /// <summary>
    /// The device's own IEEE 11073-10101 observation type when it named one (a GHS record's type, e.g. 149530
    /// MDC_PULS_OXIM_PULS_RATE for an oximeter's pulse); null when the characteristic or payload implies the type.
    /// </summary>
    public uint? MdcType { get; init; }

    /// <summary>
    /// How far the gateway moved the device's own time stamp to correct its clock (the Current Time offset taken off a
    /// device-local time); null when it moved nothing. <see cref="EffectiveTime"/> plus this is what the device said.
    /// </summary>
    public TimeSpan? ClockCorrection { get; init; }

    /// <summary>
    /// When the gateway measured the offset behind <see cref="ClockCorrection"/> (the middle of its Current Time read,
    /// the gateway's clock): with the correction, a coincident pair of the device's and the gateway's clocks (PHD IG,
    /// Coincident Time Stamp). Null when nothing was corrected or the reading was stored before it was kept.
    /// </summary>
    public DateTimeOffset? ClockMeasuredAt { get; init; }

    /// <summary>
    /// A pulse oximeter's Device and Sensor Status (PLX 0x2A5E/0x2A5F) when it reported one: sensor displaced, low
    /// perfusion, malfunction... Each set bit is shown with the Observation; problem bits also set
    /// <see cref="MeasurementStatus.SensorProblem"/>.
    /// </summary>
    public Gatt.PlxDeviceSensorStatus? SensorStatus { get; init; }

    /// <summary>
    /// Which rule built this reading's identity (<see cref="ReadingIdentity"/>): readings decoded now use
    /// <see cref="ReadingIdentity.CurrentScheme"/>; a reading stored before scheme 2 existed reads back as 1 and keeps
    /// the identifier it was (or will be) delivered with.
    /// </summary>
    public int IdentityScheme { get; init; } = ReadingIdentity.CurrentScheme;
}
