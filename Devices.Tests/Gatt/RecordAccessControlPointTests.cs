using Vitals.Devices.Gatt;

namespace Vitals.Devices.Tests.Gatt;

public sealed class RecordAccessControlPointTests
{
    public static TheoryData<string, RecordAccessControlPoint> Vectors => new()
    {
        { "01 01", RecordAccessControlPoint.Request(RacpOpcode.ReportStoredRecords, RacpOperator.AllRecords) },
        { "02 01", RecordAccessControlPoint.Request(RacpOpcode.DeleteStoredRecords, RacpOperator.AllRecords) },
        { "04 01", RecordAccessControlPoint.Request(RacpOpcode.ReportNumberOfStoredRecords, RacpOperator.AllRecords) },
        { "03 00", RecordAccessControlPoint.Request(RacpOpcode.Abort, RacpOperator.Null) },
        { "01 03 01 2A 00 00 00", new RecordAccessControlPoint(RacpOpcode.ReportStoredRecords, RacpOperator.GreaterThanOrEqual, 42, 42) },
        { "02 04 01 01 00 00 00 09 00 00 00", new RecordAccessControlPoint(RacpOpcode.DeleteStoredRecords, RacpOperator.WithinRange, 1, 9) },
        { "05 00 0C 00", RecordAccessControlPoint.NumberResponse(12) },
        { "06 00 01 01", RecordAccessControlPoint.ResponseTo(RacpOpcode.ReportStoredRecords, RacpResponseCode.Success) },
        { "06 00 01 06", RecordAccessControlPoint.ResponseTo(RacpOpcode.ReportStoredRecords, RacpResponseCode.NoRecordsFound) },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Parses_and_formats_gatt_md_layouts(string hex, RecordAccessControlPoint expected)
    {
        var bytes = Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
        Assert.True(RecordAccessControlPoint.TryParse(bytes, out var value, out var error), error.ToString());
        Assert.Equal(expected, value);
        Span<byte> buffer = stackalloc byte[RecordAccessControlPoint.MaxLength];
        Assert.True(value.TryFormat(buffer, out var written));
        Assert.Equal(bytes, buffer[..written].ToArray());
    }

    [Theory]
    [InlineData("01", "byte 0", "truncated")]
    [InlineData("07 01", "byte 0", "op code 0x07")]
    [InlineData("01 07", "byte 1", "operator 0x07")]
    [InlineData("01 01 00", "byte 2", "unexpected")]
    [InlineData("01 03 02 00 00 00 00", "byte 2", "filter type 0x02")]
    [InlineData("01 04 01 01 00 00 00", "byte 2", "truncated")]
    [InlineData("05 00 0C", "byte 2", "truncated")]
    public void Refuses_malformed_values_naming_the_byte(string hex, string where, string message)
    {
        var bytes = Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
        Assert.False(RecordAccessControlPoint.TryParse(bytes, out _, out var error));
        Assert.Equal(where, error.Where);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(2052);
        var buffer = new byte[16];
        var formatted = new byte[RecordAccessControlPoint.MaxLength];
        for (var i = 0; i < 100_000; i++)
        {
            var length = random.Next(buffer.Length + 1);
            random.NextBytes(buffer.AsSpan(0, length));
            if (RecordAccessControlPoint.TryParse(buffer.AsSpan(0, length), out var value, out _))
            {
                Assert.True(value.TryFormat(formatted, out var written));
                Assert.Equal(buffer.AsSpan(0, length).ToArray(), formatted.AsSpan(0, written).ToArray());
            }
        }
    }
}
