namespace Vitals.Devices.Gatt;

/// <summary>
/// Intermediate Cuff Pressure 0x2A36: the 0x2A35 layout while the cuff inflates; the systolic field is the current
/// cuff pressure and the others are NaN. Recognised so it can be refused with a clear reason: it is never a
/// blood-pressure reading (docs/devices.md).
/// </summary>
public readonly record struct IntermediateCuffPressure(BloodPressureMeasurement Layout)
{
    public MedicalFloat CurrentCuffPressure => Layout.Systolic;

    public static bool TryParse(ReadOnlySpan<byte> data, out IntermediateCuffPressure value, out DecodeError error)
    {
        var ok = BloodPressureMeasurement.TryParse(data, out var layout, out error);
        value = ok ? new IntermediateCuffPressure(layout) : default;
        return ok;
    }

    public bool TryFormat(Span<byte> destination, out int written) => Layout.TryFormat(destination, out written);
}
