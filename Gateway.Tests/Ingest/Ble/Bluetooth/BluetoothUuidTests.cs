using Vitals.Gateway.Ingest.Ble;

namespace Vitals.Gateway.Tests.Ingest.Ble;

public sealed class BluetoothUuidTests
{
    [Fact]
    public void A_short_id_lives_on_the_base_uuid()
    {
        var uuid = BluetoothUuid.FromShortId(0x2A1C);

        Assert.Equal("00002a1c-0000-1000-8000-00805f9b34fb", uuid.ToString());
        Assert.Equal((ushort)0x2A1C, uuid.ShortId);
        Assert.Equal("2a1c", uuid.ToShortString());
    }

    [Theory]
    [InlineData("2a1c")]
    [InlineData("2A1C")]
    [InlineData("0x2a1c")]
    [InlineData("00002A1C-0000-1000-8000-00805F9B34FB")]
    public void Every_spelling_parses_to_the_same_value(string text)
    {
        Assert.Equal(BluetoothUuid.FromShortId(0x2A1C), BluetoothUuid.Parse(text));
    }

    [Fact]
    public void A_vendor_uuid_has_no_short_id_and_keeps_its_full_form()
    {
        var uuid = BluetoothUuid.Parse("6e400001-b5a3-f393-e0a9-e50e24dcca9e");

        Assert.Null(uuid.ShortId);
        Assert.Equal("6e400001-b5a3-f393-e0a9-e50e24dcca9e", uuid.ToShortString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("2a1")]
    [InlineData("2a1cc")]
    [InlineData("zzzz")]
    [InlineData("00002a1c-0000-1000-8000")]
    [InlineData(null)]
    public void Anything_else_is_refused(string? text)
    {
        Assert.False(BluetoothUuid.TryParse(text, out _));
    }

    [Fact]
    public void Parse_names_the_bad_text()
    {
        var e = Assert.Throws<FormatException>(() => BluetoothUuid.Parse("nope"));
        Assert.Contains("'nope'", e.Message, StringComparison.Ordinal);
    }
}
