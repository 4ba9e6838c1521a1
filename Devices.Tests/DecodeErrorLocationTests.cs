namespace Vitals.Devices.Tests;

/// <summary>Locations are values; their rendering is the text logs, the rejected store and the CLI show.</summary>
public sealed class DecodeErrorLocationTests
{
    [Fact]
    public void Each_kind_renders_as_before()
    {
        Assert.Equal("$.systolic", DecodeErrorLocation.JsonPath("$.systolic").ToString());
        Assert.Equal("byte 17", DecodeErrorLocation.PayloadByte(17).ToString());
        Assert.Equal("byte 7", DecodeErrorLocation.GattByte(7).ToString());
        Assert.Equal("0x2A35 byte 7", DecodeErrorLocation.GattByte(7).In(0x2A35).ToString());
        Assert.Equal("0x2A36", DecodeErrorLocation.Gatt(0x2A36).ToString());
        Assert.Equal("diastolic", DecodeErrorLocation.Of(ReadingField.Diastolic).ToString());
        Assert.Equal("payload", DecodeErrorLocation.Text("payload").ToString());
        Assert.Equal("", default(DecodeErrorLocation).ToString());
    }

    [Fact]
    public void A_nested_gatt_offset_is_shifted_and_keeps_its_structure()
    {
        var location = DecodeErrorLocation.GattByte(3).Shift(5).In(0x2A1C);
        Assert.Equal(DecodeErrorLocation.LocationKind.Gatt, location.Kind);
        Assert.Equal((ushort)0x2A1C, location.Characteristic);
        Assert.Equal(8, location.Offset);
        Assert.Equal("0x2A1C byte 8", location.ToString());
        // A characteristic is only added once; JSON paths do not move.
        Assert.Equal("0x2A1C byte 8", location.In(0x2A35).ToString());
        Assert.Equal("$.value", DecodeErrorLocation.JsonPath("$.value").Shift(4).ToString());
    }

    [Fact]
    public void Errors_that_render_the_same_are_equal()
    {
        Assert.Equal(new DecodeError("diastolic", "m"), new DecodeError(DecodeErrorLocation.Of(ReadingField.Diastolic), "m"));
        Assert.Equal("0x2A35 byte 7: truncated", new DecodeError(DecodeErrorLocation.Gatt(0x2A35, 7), "truncated").ToString());
        Assert.Equal("no location", new DecodeError(default(DecodeErrorLocation), "no location").ToString());
    }
}
