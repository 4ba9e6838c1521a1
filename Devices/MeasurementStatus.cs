namespace Vitals.Devices;

/// <summary>
/// Flags a device reports about one measurement. Device-specific flags (cuff, movement, pulse) become
/// Observation.interpretation or notes; quality flags follow the PHD IG (docs/fhir.md, "Measurement status").
/// </summary>
[Flags]
public enum MeasurementStatus
{
    None = 0,
    BodyMovement = 1 << 0,
    CuffLoose = 1 << 1,
    IrregularPulse = 1 << 2,
    PulseRateOutOfRange = 1 << 3,
    ImproperPosition = 1 << 4,
    Questionable = 1 << 5,
    Calibrating = 1 << 6,
    EarlyEstimate = 1 << 7,
    TestData = 1 << 8,
    Invalid = 1 << 9,
    NotAvailable = 1 << 10,

    /// <summary>The device was still measuring (PLX "measurement ongoing"): the value is not a result yet.</summary>
    MeasurementOngoing = 1 << 11,

    /// <summary>The device reported a sensor or equipment problem (PLX Device and Sensor Status): the value is questionable.</summary>
    SensorProblem = 1 << 12,
}

/// <summary>Where the reading's effective time came from; anything but DeviceWithOffset is flagged in the output.</summary>
public enum TimeQuality
{
    /// <summary>The device sent a time stamp with a UTC offset.</summary>
    DeviceWithOffset,
    /// <summary>The device sent a local time without offset; the gateway's zone was assumed.</summary>
    AssumedLocalZone,
    /// <summary>The device sent no time; the gateway's receipt time is used.</summary>
    ReceiptTime,
}
