namespace Vitals.Devices.Gatt;

/// <summary>GHS observation Measurement Status (docs/devices.md): b0 invalid, b1 questionable, b2 not available, b4 calibrating, b5 test data, b6 early estimate.</summary>
[Flags]
public enum GhsMeasurementStatus : ushort
{
    None = 0,
    Invalid = 1 << 0,
    Questionable = 1 << 1,
    NotAvailable = 1 << 2,
    Calibrating = 1 << 4,
    TestData = 1 << 5,
    EarlyEstimate = 1 << 6,
}

/// <summary>Maps <see cref="GhsMeasurementStatus"/> onto the gateway's <see cref="MeasurementStatus"/>.</summary>
public static class GhsMeasurementStatusExtensions
{
    public static MeasurementStatus ToMeasurementStatus(this GhsMeasurementStatus status)
    {
        var result = MeasurementStatus.None;
        if ((status & GhsMeasurementStatus.Invalid) != 0) result |= MeasurementStatus.Invalid;
        if ((status & GhsMeasurementStatus.Questionable) != 0) result |= MeasurementStatus.Questionable;
        if ((status & GhsMeasurementStatus.NotAvailable) != 0) result |= MeasurementStatus.NotAvailable;
        if ((status & GhsMeasurementStatus.Calibrating) != 0) result |= MeasurementStatus.Calibrating;
        if ((status & GhsMeasurementStatus.TestData) != 0) result |= MeasurementStatus.TestData;
        if ((status & GhsMeasurementStatus.EarlyEstimate) != 0) result |= MeasurementStatus.EarlyEstimate;
        return result;
    }
}
