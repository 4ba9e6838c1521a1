using System.Buffers.Binary;

namespace Vitals.Devices.Gatt;

/// <summary>
/// Weight Measurement 0x2A9D (3..15 bytes): flags (b0 imperial, b1 time stamp, b2 user id, b3 BMI and height),
/// weight u16 (0.005 kg or 0.01 lb steps; 0xFFFF = measurement unsuccessful), [Date Time], [user id u8],
/// [BMI u16 x 0.1 kg/m2, height u16 x 0.001 m or 0.1 in]. The raw steps are kept; the quantities carry the
/// resolution's precision as decimal scale (14000 steps = 70.000 kg). Reserved flag bits are ignored.
/// </summary>
public readonly record struct WeightMeasurement(
    ushort WeightRaw,
    bool Imperial,
    GattDateTime? TimeStamp = null,
    byte? UserId = null,
    ushort? BmiRaw = null,
    ushort? HeightRaw = null)
{
    public const int MinLength = 3;
    public const int MaxLength = 15;
    public const ushort Unsuccessful = 0xFFFF;
    public const byte UnknownUser = 0xFF;

    public const byte ImperialFlag = 0x01;
    public const byte TimeStampFlag = 0x02;
    public const byte UserIdFlag = 0x04;
    public const byte BmiAndHeightFlag = 0x08;

    public bool IsUnsuccessful => WeightRaw == Unsuccessful;

    /// <summary>Byte offset of the field that carried <paramref name="field"/> (places a plausibility error).</summary>
    public static int OffsetOf(ReadingField field) => field == ReadingField.Time ? MinLength : 1;

    /// <summary>
    /// The measurement of a weight in kg, g or [lb_av], rounded to the characteristic's fixed resolution (0.005 kg or
    /// 0.01 lb steps; grams travel as kilograms). False when the weight does not fit the u16 field (or is not positive).
    /// </summary>
    public static bool TryFrom(Quantity weight, GattDateTime? timeStamp, out WeightMeasurement measurement)
    {
        measurement = default;
        var imperial = weight.Unit == Ucum.Pound;
        var kilograms = weight.Unit == Ucum.Gram ? weight.Value / 1000m : weight.Value;
        var steps = Math.Round(imperial ? weight.Value / 0.01m : kilograms / 0.005m, MidpointRounding.AwayFromZero);
        if (steps is <= 0 or >= Unsuccessful)
        {
            return false;
        }
        measurement = new WeightMeasurement((ushort)steps, imperial, timeStamp);
        return true;
    }

    /// <summary>kg (3 decimals, 0.005 steps) or [lb_av] (2 decimals); absent (error) when unsuccessful.</summary>
    public Quantity Weight => IsUnsuccessful
        ? Quantity.Missing(AbsentReason.Error, Imperial ? Ucum.Pound : Ucum.Kilogram)
        : Imperial
            ? new Quantity(new decimal(WeightRaw, 0, 0, false, 2), Ucum.Pound)
            : new Quantity(new decimal(WeightRaw * 5, 0, 0, false, 3), Ucum.Kilogram);

    /// <summary>
    /// <see cref="Weight"/> with the decimals the scale's resolution supports (Weight Scale Feature 0x2A9E b3..6:
    /// 1 = 0.5 kg / 1 lb, 2 = 0.2 kg / 0.5 lb, 3 = 0.1 kg / 0.2 lb, 4 = 0.05 kg / 0.1 lb, 5 = 0.02 kg / 0.05 lb,
    /// 6 = 0.01 kg / 0.02 lb, 7 = 0.005 kg / 0.01 lb; 0 "not specified" and 8..15 reserved keep the field's step).
    /// A scale that weighs to 0.1 kg says 70.1, not 70.100: precision is information (docs/devices.md).
    /// </summary>
    public Quantity WeightAt(WeightScaleFeature? feature)
    {
        var weight = Weight;
        if (!weight.HasValue || feature is not { } f || WeightDecimals(f.WeightResolution, Imperial) is not { } decimals)
        {
            return weight;
        }
        return weight with { Value = Math.Round(weight.Value, decimals, MidpointRounding.ToEven) };
    }

    /// <summary>
    /// <see cref="Height"/> with the decimals of the scale's height resolution (0x2A9E b7..9: 1 = 0.01 m / 1 in,
    /// 2 = 0.005 m / 0.5 in, 3 = 0.001 m / 0.1 in); heights travel in cm here, so 0.01 m is whole centimetres.
    /// </summary>
    public Quantity? HeightAt(WeightScaleFeature? feature)
    {
        if (Height is not { } height || feature is not { } f)
        {
            return Height;
        }
        int? decimals = f.HeightResolution switch { 1 => 0, 2 or 3 => 1, _ => null };
        return decimals is { } d ? height with { Value = Math.Round(height.Value, d, MidpointRounding.ToEven) } : height;
    }

    private static int? WeightDecimals(byte resolution, bool imperial) => (resolution, imperial) switch
    {
        (1, false) or (2, false) or (3, false) => 1,
        (4, false) or (5, false) or (6, false) => 2,
        (7, false) => 3,
        (1, true) => 0,
        (2, true) or (3, true) or (4, true) => 1,
        (5, true) or (6, true) or (7, true) => 2,
        _ => null,
    };

    public Quantity? Bmi => BmiRaw is { } b ? new Quantity(new decimal(b, 0, 0, false, 1), Ucum.KilogramPerSquareMetre) : null;

    /// <summary>Height in cm (SI: 0.001 m steps are exactly 0.1 cm) or [in_i] (0.1 in steps).</summary>
    public Quantity? Height => HeightRaw is { } h
        ? new Quantity(new decimal(h, 0, 0, false, 1), Imperial ? Ucum.Inch : Ucum.Centimetre)
        : null;

    public byte Flags => (byte)((Imperial ? ImperialFlag : 0) | (TimeStamp.HasValue ? TimeStampFlag : 0)
        | (UserId.HasValue ? UserIdFlag : 0) | (BmiRaw.HasValue ? BmiAndHeightFlag : 0));

    public static bool TryParse(ReadOnlySpan<byte> data, out WeightMeasurement value, out DecodeError error)
    {
        value = default;
        var reader = new GattReader(data);
        if (!reader.TryU8("flags", out var flags, out error)
            || !reader.TryU16("weight", out var weight, out error))
        {
            return false;
        }
        GattDateTime? stamp = null;
        if ((flags & TimeStampFlag) != 0)
        {
            if (!reader.TryDateTime("time stamp (flag b1)", out var t, out error)) return false;
            stamp = t;
        }
        byte? user = null;
        if ((flags & UserIdFlag) != 0)
        {
            if (!reader.TryU8("user id (flag b2)", out var u, out error)) return false;
            user = u;
        }
        ushort? bmi = null, height = null;
        if ((flags & BmiAndHeightFlag) != 0)
        {
            if (weight == Unsuccessful)
            {
                // docs/devices.md: after an unsuccessful measurement only time stamp and user id may follow.
                error = GattErrors.At(0, "flags announce BMI and height (b3) for an unsuccessful measurement (weight 0xFFFF)");
                return false;
            }
            if (!reader.TryU16("BMI (flag b3)", out var b, out error)
                || !reader.TryU16("height (flag b3)", out var h, out error))
            {
                return false;
            }
            bmi = b;
            height = h;
        }
        if (!reader.AtEnd(out error))
        {
            return false;
        }
        value = new WeightMeasurement(weight, (flags & ImperialFlag) != 0, stamp, user, bmi, height);
        return true;
    }

    public bool TryFormat(Span<byte> destination, out int written)
    {
        written = 0;
        var length = MinLength + (TimeStamp.HasValue ? GattDateTime.Length : 0) + (UserId.HasValue ? 1 : 0) + (BmiRaw.HasValue ? 4 : 0);
        if (destination.Length < length || BmiRaw.HasValue != HeightRaw.HasValue || (IsUnsuccessful && BmiRaw.HasValue))
        {
            return false;
        }
        destination[0] = Flags;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[1..], WeightRaw);
        var at = MinLength;
        if (TimeStamp is { } stamp)
        {
            if (!stamp.TryFormat(destination[at..], out var n)) return false;
            at += n;
        }
        if (UserId is { } user)
        {
            destination[at++] = user;
        }
        if (BmiRaw is { } bmi && HeightRaw is { } height)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination[at..], bmi);
            BinaryPrimitives.WriteUInt16LittleEndian(destination[(at + 2)..], height);
            at += 4;
        }
        written = at;
        return true;
    }
}
