namespace Vitals.Devices.Gatt;

/// <summary>
/// The Measurement Status field of 0x2A35 (docs/devices.md): b0 body movement, b1 cuff too loose, b2 irregular pulse,
/// b3..4 pulse rate range (0 within, 1 above, 2 below, 3 reserved), b5 improper position; b6..15 reserved.
/// </summary>
[Flags]
public enum BloodPressureStatus : ushort
{
    None = 0,
    BodyMovement = 1 << 0,
    CuffTooLoose = 1 << 1,
    IrregularPulse = 1 << 2,
    PulseRateAbove = 1 << 3,
    PulseRateBelow = 1 << 4,
    ImproperPosition = 1 << 5,
}

/// <summary>Maps <see cref="BloodPressureStatus"/> onto the gateway's <see cref="MeasurementStatus"/>.</summary>
public static class BloodPressureStatusExtensions
{
    private const ushort PulseRangeMask = 0x18;

    public static MeasurementStatus ToMeasurementStatus(this BloodPressureStatus status)
    {
        var result = MeasurementStatus.None;
        if ((status & BloodPressureStatus.BodyMovement) != 0) result |= MeasurementStatus.BodyMovement;
        if ((status & BloodPressureStatus.CuffTooLoose) != 0) result |= MeasurementStatus.CuffLoose;
        if ((status & BloodPressureStatus.IrregularPulse) != 0) result |= MeasurementStatus.IrregularPulse;
        // 1 above, 2 below; 3 is reserved and says nothing we can rely on.
        var range = (ushort)status & PulseRangeMask;
        if (range is 0x08 or 0x10) result |= MeasurementStatus.PulseRateOutOfRange;
        if ((status & BloodPressureStatus.ImproperPosition) != 0) result |= MeasurementStatus.ImproperPosition;
        return result;
    }
}
