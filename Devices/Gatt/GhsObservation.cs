using System.Buffers.Binary;
using System.Globalization;

namespace Vitals.Devices.Gatt;

/// <summary>
/// One reassembled Generic Health Sensor observation record, as the Philips reference peripheral sends it (docs/devices.md):
/// [record number u32, stored observations only], class u8, length u16 (the record from class on), flags u16,
/// [type u32 MDC, flag b0], [time stamp 9 bytes, b1], [measurement duration FLOAT, b2], [measurement status u16, b3],
/// [object id u32, b4], then for a simple numeric observation (class 0x01) unit u32 (MDC) and value FLOAT.
/// Other classes and the variable-length optional fields (b5 patient .. b9 TLVs) are recognised and refused: this
/// gateway decodes simple numeric observations only. Flag bits b10..15 are reserved and ignored.
/// </summary>
public readonly record struct GhsObservation(
    uint Type,
    uint Unit,
    MedicalFloat Value,
    GhsTimeStamp? TimeStamp = null,
    MedicalFloat? MeasurementDuration = null,
    GhsMeasurementStatus? Status = null,
    uint? ObjectId = null,
    uint? RecordNumber = null)
{
    public const byte SimpleNumeric = 0x01;
    public const int HeaderLength = 5;

    public const ushort TypeFlag = 0x0001;
    public const ushort TimeStampFlag = 0x0002;
    public const ushort DurationFlag = 0x0004;
    public const ushort StatusFlag = 0x0008;
    public const ushort ObjectIdFlag = 0x0010;
    private const ushort UnsupportedFlags = 0x03E0;

    public ushort Flags => (ushort)(TypeFlag | (TimeStamp.HasValue ? TimeStampFlag : 0) | (MeasurementDuration.HasValue ? DurationFlag : 0)
        | (Status.HasValue ? StatusFlag : 0) | (ObjectId.HasValue ? ObjectIdFlag : 0));

    /// <summary>The record's own length field: class through value.</summary>
    public int RecordLength => HeaderLength + 4 + (TimeStamp.HasValue ? GhsTimeStamp.Length : 0) + (MeasurementDuration.HasValue ? 4 : 0)
        + (Status.HasValue ? 2 : 0) + (ObjectId.HasValue ? 4 : 0) + 8;

    /// <summary>Byte offset of the type field in the parsed data (after the record number of a stored record).</summary>
    public int TypeOffset => (RecordNumber.HasValue ? 4 : 0) + HeaderLength;

    /// <summary>Byte offset of the unit field (the value follows it) in the parsed data.</summary>
    public int UnitOffset => (RecordNumber.HasValue ? 4 : 0) + RecordLength - 8;

    /// <summary>Byte offset in the parsed data of the field that carried <paramref name="field"/> (places a plausibility error).</summary>
    public int OffsetOf(ReadingField field) => field == ReadingField.Time ? TypeOffset + 4 : UnitOffset + 4;

    /// <summary>A Live Health Observations (0x2B8B) record.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out GhsObservation value, out DecodeError error) =>
        TryParse(data, stored: false, out value, out error);

    /// <summary>A live record, or with <paramref name="stored"/> a Stored Health Observations (0x2BDD) record (u32 record number first).</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, bool stored, out GhsObservation value, out DecodeError error)
    {
        value = default;
        var reader = new GattReader(data);
        uint? recordNumber = null;
        if (stored)
        {
            if (!reader.TryU32("record number", out var n, out error)) return false;
            recordNumber = n;
        }
        var start = reader.Position;
        if (!reader.TryU8("observation class", out var observationClass, out error)) return false;
        if (observationClass != SimpleNumeric)
        {
            error = GattErrors.At(start, $"observation class 0x{observationClass:X2} ({ClassName(observationClass)}) is not supported; this gateway decodes simple numeric (0x01)");
            return false;
        }
        var lengthAt = reader.Position;
        if (!reader.TryU16("record length", out var length, out error)) return false;
        if (length != data.Length - start)
        {
            error = GattErrors.At(lengthAt, string.Create(CultureInfo.InvariantCulture,
                $"record length {length} does not match the {data.Length - start} bytes received"));
            return false;
        }
        var flagsAt = reader.Position;
        if (!reader.TryU16("observation flags", out var flags, out error)) return false;
        if ((flags & UnsupportedFlags) != 0)
        {
            error = GattErrors.At(flagsAt, string.Create(CultureInfo.InvariantCulture,
                $"observation flags 0x{flags:X4} announce variable-length fields (b5..b9: patient, supplemental information, derived-from, has-member, TLVs) this gateway does not decode"));
            return false;
        }
        if ((flags & TypeFlag) == 0)
        {
            error = GattErrors.At(flagsAt, "the observation has no type (flag b0 clear); a reading needs to know what was measured");
            return false;
        }
        if (!reader.TryU32("observation type", out var type, out error)) return false;
        GhsTimeStamp? stamp = null;
        if ((flags & TimeStampFlag) != 0)
        {
            var at = reader.Position;
            if (!reader.Need(GhsTimeStamp.Length, "time stamp (flag b1)", out error)) return false;
            if (!GhsTimeStamp.TryParse(reader.Take(GhsTimeStamp.Length), out var t, out var inner))
            {
                error = GattErrors.Shift(inner, at);
                return false;
            }
            stamp = t;
        }
        MedicalFloat? duration = null;
        if ((flags & DurationFlag) != 0)
        {
            if (!reader.TryFloat("measurement duration (flag b2)", out var d, out error)) return false;
            duration = d;
        }
        GhsMeasurementStatus? status = null;
        if ((flags & StatusFlag) != 0)
        {
            if (!reader.TryU16("measurement status (flag b3)", out var s, out error)) return false;
            status = (GhsMeasurementStatus)s;
        }
        uint? objectId = null;
        if ((flags & ObjectIdFlag) != 0)
        {
            if (!reader.TryU32("object id (flag b4)", out var o, out error)) return false;
            objectId = o;
        }
        if (!reader.TryU32("unit", out var unit, out error)
            || !reader.TryFloat("value", out var number, out error)
            || !reader.AtEnd(out error))
        {
            return false;
        }
        value = new GhsObservation(type, unit, number, stamp, duration, status, objectId, recordNumber);
        return true;
    }

    public bool TryFormat(Span<byte> destination, out int written)
    {
        written = 0;
        var length = RecordLength;
        var total = length + (RecordNumber.HasValue ? 4 : 0);
        if (destination.Length < total || length > ushort.MaxValue || !Float32.TryEncode(Value, out var raw))
        {
            return false;
        }
        var at = 0;
        if (RecordNumber is { } n)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination, n);
            at = 4;
        }
        destination[at] = SimpleNumeric;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[(at + 1)..], (ushort)length);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[(at + 3)..], Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[(at + 5)..], Type);
        at += HeaderLength + 4;
        if (TimeStamp is { } stamp)
        {
            if (!stamp.TryFormat(destination[at..], out var w)) return false;
            at += w;
        }
        if (MeasurementDuration is { } duration)
        {
            if (!Float32.TryEncode(duration, out var d)) return false;
            BinaryPrimitives.WriteUInt32LittleEndian(destination[at..], d);
            at += 4;
        }
        if (Status is { } status)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination[at..], (ushort)status);
            at += 2;
        }
        if (ObjectId is { } objectId)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[at..], objectId);
            at += 4;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(destination[at..], Unit);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[(at + 4)..], raw);
        written = at + 8;
        return true;
    }

    private static string ClassName(byte observationClass) => observationClass switch
    {
        0x02 => "simple discrete",
        0x04 => "sample array",
        0x07 => "compound",
        0xFF => "bundle",
        _ => "unknown",
    };
}
