using System.Buffers.Binary;

namespace Vitals.Devices.Gatt;

/// <summary>
/// Weight Scale Feature 0x2A9E (u32, Weight Scale Service 1.0 and the GATT Specification Supplement): b0 time stamp
/// supported, b1 multiple users, b2 BMI supported, b3..6 weight resolution (7 = 0.005 kg / 0.01 lb), b7..9 height
/// resolution (3 = 0.001 m / 0.1 in); the rest reserved. Read once by a collector; the simulated scale serves it.
/// </summary>
public readonly record struct WeightScaleFeature(bool TimeStamp, bool MultipleUsers, bool Bmi, byte WeightResolution, byte HeightResolution)
{
    public const int Length = 4;

    /// <summary>Weight resolution 7: 0.005 kg or 0.01 lb, the steps <see cref="WeightMeasurement"/> assumes.</summary>
    public const byte FiveGrams = 7;

    /// <summary>Height resolution 3: 0.001 m or 0.1 in.</summary>
    public const byte OneMillimetre = 3;

    public static bool TryParse(ReadOnlySpan<byte> data, out WeightScaleFeature value, out DecodeError error)
    {
        value = default;
        if (data.Length != Length)
        {
            error = data.Length < Length
                ? GattErrors.Truncated(0, "Weight Scale Feature", Length, data.Length)
                : GattErrors.At(Length, $"{data.Length - Length} unexpected byte(s) after the Weight Scale Feature");
            return false;
        }
        var bits = BinaryPrimitives.ReadUInt32LittleEndian(data);
        value = new WeightScaleFeature((bits & 0x01) != 0, (bits & 0x02) != 0, (bits & 0x04) != 0, (byte)((bits >> 3) & 0x0F), (byte)((bits >> 7) & 0x07));
        error = default;
        return true;
    }

    public bool TryFormat(Span<byte> destination, out int written)
    {
        written = 0;
        if (destination.Length < Length || WeightResolution > 0x0F || HeightResolution > 0x07)
        {
            return false;
        }
        var bits = (TimeStamp ? 0x01u : 0) | (MultipleUsers ? 0x02u : 0) | (Bmi ? 0x04u : 0) | (uint)WeightResolution << 3 | (uint)HeightResolution << 7;
        BinaryPrimitives.WriteUInt32LittleEndian(destination, bits);
        written = Length;
        return true;
    }
}
