using System.Text;
using Vitals.Devices.Gatt;

namespace Vitals.Devices.Tests.Gatt;

/// <summary>Device Information Service 1.1 values: UTF-8 strings and the System ID (EUI-64).</summary>
public sealed class DeviceInformationTests
{
    [Theory]
    [InlineData("VS-BP330", "VS-BP330")]
    [InlineData("VS-BP330\0\0\0", "VS-BP330")] // NUL padding of a fixed-size buffer
    [InlineData("  Omega Médical  ", "Omega Médical")]
    public void Text_is_taken_trimmed(string sent, string expected)
    {
        Assert.True(DeviceInformationText.TryParse(Encoding.UTF8.GetBytes(sent), out var text));
        Assert.Equal(expected, text);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0, 0 })]
    [InlineData(new byte[] { 0x20, 0x20 })]
    [InlineData(new byte[] { 0xC3, 0x28 })] // invalid UTF-8
    [InlineData(new byte[] { 0x41, 0x1B, 0x42 })] // an escape character
    public void Unusable_text_is_refused(byte[] value)
    {
        Assert.False(DeviceInformationText.TryParse(value, out var text));
        Assert.Equal("", text);
    }

    [Fact]
    public void Text_longer_than_the_limit_is_refused_and_text_round_trips()
    {
        Assert.False(DeviceInformationText.TryParse(Encoding.UTF8.GetBytes(new string('x', DeviceInformationText.MaxLength + 1)), out _));
        var buffer = new byte[256];
        Assert.True(DeviceInformationText.TryFormat("Médical 2.0", buffer, out var written));
        Assert.True(DeviceInformationText.TryParse(buffer.AsSpan(0, written), out var back));
        Assert.Equal("Médical 2.0", back);
        Assert.False(DeviceInformationText.TryFormat("too long for it", new byte[4], out _));
    }

    [Fact]
    public void A_System_ID_is_the_EUI_64_least_significant_octet_first()
    {
        // DIS 1.1 3.1: manufacturer identifier 0x0000000001 (40 bits), OUI 0xC0FFEE (24 bits), both little-endian.
        byte[] value = [0x01, 0x00, 0x00, 0xFE, 0xFF, 0xEE, 0xFF, 0xC0];

        Assert.True(SystemId.TryParse(value, out var id));

        Assert.Equal(0xC0FFEEu, id.OrganizationallyUniqueIdentifier);
        Assert.Equal(0xFFFE000001UL, id.ManufacturerIdentifier);
        Assert.Equal("C0-FF-EE-FF-FE-00-00-01", id.ToString());
        var back = new byte[SystemId.Length];
        Assert.True(id.TryFormat(back, out var written));
        Assert.Equal(value, back[..written]);
        Assert.True(SystemId.TryParseText("c0:ff:ee:ff:fe:00:00:01", out var parsed));
        Assert.Equal(id, parsed);
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3, 4, 5, 6, 7 })]
    [InlineData(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 })]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0 })]
    public void A_System_ID_of_the_wrong_length_or_all_zero_is_refused(byte[] value) =>
        Assert.False(SystemId.TryParse(value, out _));

    [Fact]
    public void Every_byte_sequence_is_judged_without_throwing()
    {
        var random = new Random(11);
        for (var i = 0; i < 10_000; i++)
        {
            var value = new byte[random.Next(0, 80)];
            random.NextBytes(value);
            _ = DeviceInformationText.TryParse(value, out _);
            _ = SystemId.TryParse(value, out _);
        }
    }
}
