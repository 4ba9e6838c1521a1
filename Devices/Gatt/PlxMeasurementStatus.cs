namespace Vitals.Devices.Gatt;

/// <summary>The Measurement Status field of the PLX measurements (Pulse Oximeter Service 1.0); b0..4 reserved.</summary>
[Flags]
public enum PlxMeasurementStatus : ushort
{
    None = 0,
    MeasurementOngoing = 1 << 5,
    EarlyEstimatedData = 1 << 6,
    ValidatedData = 1 << 7,
    FullyQualifiedData = 1 << 8,
    DataFromMeasurementStorage = 1 << 9,
    DataForDemonstration = 1 << 10,
    DataForTesting = 1 << 11,
    CalibrationOngoing = 1 << 12,
    MeasurementUnavailable = 1 << 13,
    QuestionableMeasurement = 1 << 14,
    InvalidMeasurement = 1 << 15,
}

/// <summary>Maps <see cref="PlxMeasurementStatus"/> onto the gateway's <see cref="MeasurementStatus"/> (docs/fhir.md).</summary>
public static class PlxMeasurementStatusExtensions
{
    public static MeasurementStatus ToMeasurementStatus(this PlxMeasurementStatus status)
    {
        var result = MeasurementStatus.None;
        if ((status & PlxMeasurementStatus.EarlyEstimatedData) != 0) result |= MeasurementStatus.EarlyEstimate;
        if ((status & PlxMeasurementStatus.MeasurementOngoing) != 0) result |= MeasurementStatus.MeasurementOngoing;
        // Demonstration data is not a patient's either.
        if ((status & (PlxMeasurementStatus.DataForTesting | PlxMeasurementStatus.DataForDemonstration)) != 0) result |= MeasurementStatus.TestData;
        if ((status & PlxMeasurementStatus.CalibrationOngoing) != 0) result |= MeasurementStatus.Calibrating;
        if ((status & PlxMeasurementStatus.MeasurementUnavailable) != 0) result |= MeasurementStatus.NotAvailable;
        if ((status & PlxMeasurementStatus.QuestionableMeasurement) != 0) result |= MeasurementStatus.Questionable;
        if ((status & PlxMeasurementStatus.InvalidMeasurement) != 0) result |= MeasurementStatus.Invalid;
        return result;
    }
}
