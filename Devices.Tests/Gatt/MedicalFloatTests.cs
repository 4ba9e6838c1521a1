using Vitals.Devices;
using Vitals.Devices.Gatt;

namespace Vitals.Devices.Tests.Gatt;

public sealed class MedicalFloatTests
{
    [Theory]
    [InlineData(new byte[] { 0x65, 0xF0 }, "10.1")]
    [InlineData(new byte[] { 0x8A, 0x00 }, "138")]
    [InlineData(new byte[] { 0x72, 0x00 }, "114")]
    [InlineData(new byte[] { 0xFF, 0x0F }, "-1")]
    [InlineData(new byte[] { 0x01, 0x80 }, "0.00000001")]
    [InlineData(new byte[] { 0xFF, 0x77 }, "20470000000")]
    public void Sfloat_gatt_md_examples_and_edges(byte[] bytes, string expected)
    {
        Assert.True(Sfloat.TryDecode(BitConverter.ToUInt16(bytes), out var value));
        Assert.Equal(expected, value.ToString());
    }

    [Theory]
    [InlineData(new byte[] { 0xB0, 0x0E, 0x00, 0xFE }, "37.60")]
    [InlineData(new byte[] { 0x6C, 0x01, 0x00, 0xFF }, "36.4")]
    [InlineData(new byte[] { 0xFD, 0xFF, 0xFF, 0x00 }, "-3")]
    [InlineData(new byte[] { 0x01, 0x00, 0x00, 0xE4 }, "0.0000000000000000000000000001")]
    public void Float_gatt_md_examples_keep_their_precision(byte[] bytes, string expected)
    {
        Assert.True(Float32.TryDecode(BitConverter.ToUInt32(bytes), out var value));
        Assert.Equal(expected, value.ToString());
    }

    [Theory]
    [InlineData(0x07FF, AbsentReason.NotANumber)]
    [InlineData(0x0800, AbsentReason.Error)]
    [InlineData(0x0801, AbsentReason.Error)]
    [InlineData(0x07FE, AbsentReason.PositiveInfinity)]
    [InlineData(0x0802, AbsentReason.NegativeInfinity)]
    public void Sfloat_special_values_are_never_numbers(int raw, AbsentReason reason)
    {
        Assert.True(Sfloat.TryDecode((ushort)raw, out var value));
        Assert.False(value.HasValue);
        Assert.Equal(reason, value.Absent);
        Assert.Equal(0m, value.Value);
    }

    [Theory]
    [InlineData(0x007FFFFFu, AbsentReason.NotANumber)]
    [InlineData(0x00800000u, AbsentReason.Error)]
    [InlineData(0x00800001u, AbsentReason.Error)]
    [InlineData(0x007FFFFEu, AbsentReason.PositiveInfinity)]
    [InlineData(0x00800002u, AbsentReason.NegativeInfinity)]
    public void Float_special_values_are_never_numbers(uint raw, AbsentReason reason)
    {
        Assert.True(Float32.TryDecode(raw, out var value));
        Assert.Equal(reason, value.Absent);
    }

    [Fact]
    public void Special_codes_with_another_exponent_are_numbers()
    {
        // Tested on the raw value before sign extension: 0x17FF is 2047 x 10^1, not NaN.
        Assert.True(Sfloat.TryDecode(0x17FF, out var value));
        Assert.Equal("20470", value.ToString());
    }

    [Fact]
    public void Float_exponents_decimal_cannot_hold_are_refused()
    {
        Assert.False(Float32.TryDecode(0x80000001, out _));   // 1 x 10^-128
        Assert.False(Float32.TryDecode(0x7F7FFFFD, out _));   // 8388605 x 10^127
    }

    [Theory]
    [InlineData("37.6", true)]
    [InlineData("37.60", false)]   // 3760 needs more than 12 bits
    [InlineData("2047", false)]     // only spelling is the NaN code
    [InlineData("-2048", false)]    // NRes
    [InlineData("2045", true)]
    [InlineData("20470", true)]     // 2047 x 10^1
    [InlineData("20480", false)]    // 2048 x 10^1: the mantissa is out of range
    [InlineData("1.000000000", false)] // scale 9 is below the SFLOAT exponent range, and precision must not be dropped
    [InlineData("2048.0", false)]
    public void Sfloat_encodes_only_what_it_can_say_exactly(string text, bool encodable)
    {
        var value = new MedicalFloat(decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(encodable, Sfloat.TryEncode(value, out var raw));
        if (encodable)
        {
            Assert.True(Sfloat.TryDecode(raw, out var back));
            Assert.Equal(value, back);
        }
    }

    [Fact]
    public void Equality_includes_the_scale()
    {
        Assert.NotEqual(new MedicalFloat(2m), new MedicalFloat(2.0m));
        Assert.Equal(new MedicalFloat(37.60m), new MedicalFloat(37.60m));
        Assert.NotEqual(MedicalFloat.NaN, new MedicalFloat(0m));
    }

    [Fact]
    public void Every_raw_sfloat_survives_decode_encode_decode()
    {
        for (var raw = 0; raw <= ushort.MaxValue; raw++)
        {
            Assert.True(Sfloat.TryDecode((ushort)raw, out var value));
            Assert.True(Sfloat.TryEncode(value, out var again), $"0x{raw:X4} = {value}");
            Assert.True(Sfloat.TryDecode(again, out var back));
            Assert.Equal(value, back);
        }
    }
}
