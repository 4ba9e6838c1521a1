namespace Vitals.Devices.Gatt;

/// <summary>
/// The Device and Sensor Status field of the PLX measurements (Pulse Oximeter Service 1.0 and the GATT Specification
/// Supplement, PLX Spot-check Measurement): 24 bits, b16..23 reserved.
/// </summary>
[Flags]
public enum PlxDeviceSensorStatus : uint
{
    None = 0,
    ExtendedDisplayUpdateOngoing = 1 << 0,
    EquipmentMalfunction = 1 << 1,
    SignalProcessingIrregularity = 1 << 2,
    InadequateSignal = 1 << 3,
    PoorSignal = 1 << 4,
    LowPerfusion = 1 << 5,
    ErraticSignal = 1 << 6,
    NonpulsatileSignal = 1 << 7,
    QuestionablePulse = 1 << 8,
    SignalAnalysisOngoing = 1 << 9,
    SensorInterference = 1 << 10,
    SensorUnconnectedToUser = 1 << 11,
    UnknownSensorConnected = 1 << 12,
    SensorDisplaced = 1 << 13,
    SensorMalfunctioning = 1 << 14,
    SensorDisconnected = 1 << 15,
}

public static class PlxDeviceSensorStatusExtensions
{
    /// <summary>The defined bits (b0..15); reserved bits are dropped rather than guessed at.</summary>
    public const PlxDeviceSensorStatus Defined = (PlxDeviceSensorStatus)0xFFFF;

    /// <summary>
    /// The bits that say the value may not be the patient's true one. Display update and signal analysis "ongoing"
    /// describe the device's work, not the value, so they are shown but do not make the value questionable.
    /// </summary>
    public const PlxDeviceSensorStatus Problems = Defined
        & ~(PlxDeviceSensorStatus.ExtendedDisplayUpdateOngoing | PlxDeviceSensorStatus.SignalAnalysisOngoing);

    /// <summary>Lower-case words for a clinician's note ("sensor displaced, low perfusion").</summary>
    public static IEnumerable<string> Describe(this PlxDeviceSensorStatus status)
    {
        foreach (var (flag, text) in Texts)
        {
            if ((status & flag) != 0) yield return text;
        }
    }

    private static readonly (PlxDeviceSensorStatus Flag, string Text)[] Texts =
    [
        (PlxDeviceSensorStatus.ExtendedDisplayUpdateOngoing, "extended display update ongoing"),
        (PlxDeviceSensorStatus.EquipmentMalfunction, "equipment malfunction detected"),
        (PlxDeviceSensorStatus.SignalProcessingIrregularity, "signal processing irregularity detected"),
        (PlxDeviceSensorStatus.InadequateSignal, "inadequate signal detected"),
        (PlxDeviceSensorStatus.PoorSignal, "poor signal detected"),
        (PlxDeviceSensorStatus.LowPerfusion, "low perfusion detected"),
        (PlxDeviceSensorStatus.ErraticSignal, "erratic signal detected"),
        (PlxDeviceSensorStatus.NonpulsatileSignal, "non-pulsatile signal detected"),
        (PlxDeviceSensorStatus.QuestionablePulse, "questionable pulse detected"),
        (PlxDeviceSensorStatus.SignalAnalysisOngoing, "signal analysis ongoing"),
        (PlxDeviceSensorStatus.SensorInterference, "sensor interference detected"),
        (PlxDeviceSensorStatus.SensorUnconnectedToUser, "sensor not connected to the user"),
        (PlxDeviceSensorStatus.UnknownSensorConnected, "unknown sensor connected"),
        (PlxDeviceSensorStatus.SensorDisplaced, "sensor displaced"),
        (PlxDeviceSensorStatus.SensorMalfunctioning, "sensor malfunctioning"),
        (PlxDeviceSensorStatus.SensorDisconnected, "sensor disconnected"),
    ];
}
