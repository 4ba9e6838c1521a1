using System.Buffers.Binary;
using System.Globalization;

namespace Vitals.Devices.Gatt;

/// <summary>
/// Record Access Control Point 0x2A52: one request the collector writes (<c>opcode operator [filter type operand]</c>)
/// or one response the device indicates (<c>05 00 count-u16</c>, <c>06 00 request-opcode code</c>) (docs/devices.md).
/// Operands follow GHS: filter type 0x01 is the u32 record number, one for &lt;= and &gt;=, two for a range.
/// </summary>
public readonly record struct RecordAccessControlPoint(
    RacpOpcode Opcode,
    RacpOperator Operator,
    uint Minimum = 0,
    uint Maximum = 0,
    ushort NumberOfRecords = 0,
    RacpOpcode RequestOpcode = 0,
    RacpResponseCode Response = 0)
{
    /// <summary>The GHS filter type of the record-number operand.</summary>
    public const byte RecordNumberFilter = 0x01;

    public const int MaxLength = 11;

    public static RecordAccessControlPoint Request(RacpOpcode opcode, RacpOperator op) => new(opcode, op);

    public static RecordAccessControlPoint NumberResponse(ushort count) =>
        new(RacpOpcode.NumberOfStoredRecordsResponse, RacpOperator.Null, NumberOfRecords: count);

    public static RecordAccessControlPoint ResponseTo(RacpOpcode request, RacpResponseCode code) =>
        new(RacpOpcode.ResponseCode, RacpOperator.Null, RequestOpcode: request, Response: code);

    public static bool TryParse(ReadOnlySpan<byte> data, out RecordAccessControlPoint value, out DecodeError error)
    {
        value = default;
        if (data.Length < 2)
        {
            error = GattErrors.Truncated(0, "op code and operator", 2, data.Length);
            return false;
        }
        var opcode = (RacpOpcode)data[0];
        var op = (RacpOperator)data[1];
        if (opcode is < RacpOpcode.ReportStoredRecords or > RacpOpcode.ResponseCode)
        {
            error = GattErrors.At(0, string.Create(CultureInfo.InvariantCulture, $"op code 0x{data[0]:X2} is not a RACP op code"));
            return false;
        }
        if (op > RacpOperator.LastRecord)
        {
            error = GattErrors.At(1, string.Create(CultureInfo.InvariantCulture, $"operator 0x{data[1]:X2} is not a RACP operator"));
            return false;
        }
        var expected = 2;
        switch (opcode)
        {
            case RacpOpcode.NumberOfStoredRecordsResponse:
                if (!NeedExactly(data, 4, "number of records", out error)) return false;
                value = NumberResponse(BinaryPrimitives.ReadUInt16LittleEndian(data[2..]));
                return true;
            case RacpOpcode.ResponseCode:
                if (!NeedExactly(data, 4, "request op code and response code", out error)) return false;
                value = ResponseTo((RacpOpcode)data[2], (RacpResponseCode)data[3]);
                return true;
            default:
                var operands = op switch
                {
                    RacpOperator.LessThanOrEqual or RacpOperator.GreaterThanOrEqual => 1,
                    RacpOperator.WithinRange => 2,
                    _ => 0,
                };
                if (operands == 0)
                {
                    if (!NeedExactly(data, expected, "request", out error)) return false;
                    value = Request(opcode, op);
                    return true;
                }
                if (data.Length < 3)
                {
                    error = GattErrors.Truncated(2, "filter type", 1, data.Length - 2);
                    return false;
                }
                if (data[2] != RecordNumberFilter)
                {
                    error = GattErrors.At(2, string.Create(CultureInfo.InvariantCulture, $"filter type 0x{data[2]:X2} is not supported (0x01 record number)"));
                    return false;
                }
                if (!NeedExactly(data, 3 + 4 * operands, "record number operand", out error)) return false;
                var first = BinaryPrimitives.ReadUInt32LittleEndian(data[3..]);
                var second = operands == 2 ? BinaryPrimitives.ReadUInt32LittleEndian(data[7..]) : first;
                value = new RecordAccessControlPoint(opcode, op, first, second);
                return true;
        }
    }

    public bool TryFormat(Span<byte> destination, out int written)
    {
        written = 0;
        Span<byte> buffer = stackalloc byte[MaxLength];
        buffer[0] = (byte)Opcode;
        buffer[1] = (byte)Operator;
        var length = 2;
        switch (Opcode)
        {
            case RacpOpcode.NumberOfStoredRecordsResponse:
                BinaryPrimitives.WriteUInt16LittleEndian(buffer[2..], NumberOfRecords);
                length = 4;
                break;
            case RacpOpcode.ResponseCode:
                buffer[2] = (byte)RequestOpcode;
                buffer[3] = (byte)Response;
                length = 4;
                break;
            default:
                if (Operator is RacpOperator.LessThanOrEqual or RacpOperator.GreaterThanOrEqual or RacpOperator.WithinRange)
                {
                    buffer[2] = RecordNumberFilter;
                    BinaryPrimitives.WriteUInt32LittleEndian(buffer[3..], Minimum);
                    length = 7;
                    if (Operator == RacpOperator.WithinRange)
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(buffer[7..], Maximum);
                        length = 11;
                    }
                }
                break;
        }
        if (destination.Length < length)
        {
            return false;
        }
        buffer[..length].CopyTo(destination);
        written = length;
        return true;
    }

    private static bool NeedExactly(ReadOnlySpan<byte> data, int length, string field, out DecodeError error)
    {
        if (data.Length < length)
        {
            error = GattErrors.Truncated(2, field, length - 2, data.Length - 2);
            return false;
        }
        if (data.Length > length)
        {
            error = GattErrors.At(length, $"{data.Length - length} unexpected byte(s) after the {field}");
            return false;
        }
        error = default;
        return true;
    }
}
