using System.Buffers.Binary;

namespace Vitals.Devices.Gatt;

/// <summary>
/// Blood Pressure Measurement 0x2A35 (7..19 bytes): flags (b0 kPa, b1 time stamp, b2 pulse rate, b3 user id,
/// b4 measurement status), systolic, diastolic, mean arterial pressure (SFLOAT each), [Date Time], [pulse SFLOAT],
/// [user id u8, 0xFF unknown], [status u16]. Intermediate Cuff Pressure 0x2A36 has the same layout
/// (<see cref="IntermediateCuffPressure"/>). Reserved flag bits are ignored.
/// </summary>
public readonly record struct BloodPressureMeasurement(
    MedicalFloat Systolic,
    MedicalFloat Diastolic,
    MedicalFloat MeanArterial,
    bool Kilopascal,
    GattDateTime? TimeStamp = null,
    MedicalFloat? PulseRate = null,
    byte? UserId = null,
    BloodPressureStatus? Status = null)
{
    public const int MinLength = 7;
    public const int MaxLength = 19;
    public const byte UnknownUser = 0xFF;

    public const byte KilopascalFlag = 0x01;
    public const byte TimeStampFlag = 0x02;
    public const byte PulseRateFlag = 0x04;
    public const byte UserIdFlag = 0x08;
    public const byte StatusFlag = 0x10;

    public string Unit => Kilopascal ? Ucum.Kilopascal : Ucum.MillimetreMercury;

    public byte Flags => (byte)((Kilopascal ? KilopascalFlag : 0) | (TimeStamp.HasValue ? TimeStampFlag : 0)
        | (PulseRate.HasValue ? PulseRateFlag : 0) | (UserId.HasValue ? UserIdFlag : 0) | (Status.HasValue ? StatusFlag : 0));

    /// <summary>Byte offset of the pulse rate field for these flags (used to place plausibility errors).</summary>
    public int PulseRateOffset => MinLength + (TimeStamp.HasValue ? GattDateTime.Length : 0);

    /// <summary>Byte offset of the field that carried <paramref name="field"/> (places a plausibility error).</summary>
    public int OffsetOf(ReadingField field) => field switch
    {
        ReadingField.Systolic => 1,
        ReadingField.Diastolic => 3,
        ReadingField.Mean => 5,
        ReadingField.Pulse => PulseRateOffset,
        _ => MinLength,
    };

    public static bool TryParse(ReadOnlySpan<byte> data, out BloodPressureMeasurement value, out DecodeError error)
    {
        value = default;
        var reader = new GattReader(data);
        if (!reader.TryU8("flags", out var flags, out error)
            || !reader.TrySfloat("systolic", out var systolic, out error)
            || !reader.TrySfloat("diastolic", out var diastolic, out error)
            || !reader.TrySfloat("mean arterial pressure", out var mean, out error))
        {
            return false;
        }
        GattDateTime? stamp = null;
        if ((flags & TimeStampFlag) != 0)
        {
            if (!reader.TryDateTime("time stamp (flag b1)", out var t, out error)) return false;
            stamp = t;
        }
        MedicalFloat? pulse = null;
        if ((flags & PulseRateFlag) != 0)
        {
            if (!reader.TrySfloat("pulse rate (flag b2)", out var p, out error)) return false;
            pulse = p;
        }
        byte? user = null;
        if ((flags & UserIdFlag) != 0)
        {
            if (!reader.TryU8("user id (flag b3)", out var u, out error)) return false;
            user = u;
        }
        BloodPressureStatus? status = null;
        if ((flags & StatusFlag) != 0)
        {
            if (!reader.TryU16("measurement status (flag b4)", out var s, out error)) return false;
            status = (BloodPressureStatus)s;
        }
        if (!reader.AtEnd(out error))
        {
            return false;
        }
        value = new BloodPressureMeasurement(systolic, diastolic, mean, (flags & KilopascalFlag) != 0, stamp, pulse, user, status);
        return true;
    }

    public bool TryFormat(Span<byte> destination, out int written)
    {
        written = 0;
        var length = MinLength + (TimeStamp.HasValue ? GattDateTime.Length : 0) + (PulseRate.HasValue ? 2 : 0)
            + (UserId.HasValue ? 1 : 0) + (Status.HasValue ? 2 : 0);
        if (destination.Length < length
            || !Sfloat.TryEncode(Systolic, out var sys)
            || !Sfloat.TryEncode(Diastolic, out var dia)
            || !Sfloat.TryEncode(MeanArterial, out var map))
        {
            return false;
        }
        destination[0] = Flags;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[1..], sys);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[3..], dia);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[5..], map);
        var at = MinLength;
        if (TimeStamp is { } stamp)
        {
            if (!stamp.TryFormat(destination[at..], out var n)) return false;
            at += n;
        }
        if (PulseRate is { } pulse)
        {
            if (!Sfloat.TryEncode(pulse, out var p)) return false;
            BinaryPrimitives.WriteUInt16LittleEndian(destination[at..], p);
            at += 2;
        }
        if (UserId is { } user)
        {
            destination[at++] = user;
        }
        if (Status is { } status)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination[at..], (ushort)status);
            at += 2;
        }
        written = at;
        return true;
    }
}
