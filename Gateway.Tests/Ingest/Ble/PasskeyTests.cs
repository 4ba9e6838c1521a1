using Vitals.Gateway.Ingest.Ble;

namespace Vitals.Gateway.Tests.Ingest.Ble;

/// <summary>What <c>devices pair</c> accepts: a six-digit passkey and a Bluetooth address in any common spelling.</summary>
public sealed class PasskeyTests
{
    [Theory]
    [InlineData("123456", true, 123456u)]
    [InlineData("000042", true, 42u)]
    [InlineData("12345", false, 0u)]
    [InlineData("1234567", false, 0u)]
    [InlineData("12a456", false, 0u)]
    [InlineData("-12345", false, 0u)]
    [InlineData(null, false, 0u)]
    public void A_passkey_is_six_digits(string? text, bool ok, uint value)
    {
        Assert.Equal(ok, Passkey.TryParse(text, out var passkey));
        Assert.Equal(value, passkey);
    }

    [Theory]
    [InlineData("c0:ff:ee:00:00:01", "C0:FF:EE:00:00:01")]
    [InlineData("C0-FF-EE-00-00-01", "C0:FF:EE:00:00:01")]
    [InlineData(" C0_FF_EE_00_00_01 ", "C0:FF:EE:00:00:01")]
    public void Addresses_are_normalised_to_the_device_id_form(string text, string expected)
    {
        Assert.True(BleAddress.TryNormalize(text, out var address));
        Assert.Equal(expected, address);
        Assert.True(BleAddress.IsAddress(address));
    }

    [Theory]
    [InlineData("C0:FF:EE:00:00")]
    [InlineData("sim-thermometer-0001")]
    [InlineData("C0:FF:EE:00:00:0G")]
    public void Other_device_ids_are_not_addresses(string text)
    {
        Assert.False(BleAddress.TryNormalize(text, out _));
        Assert.False(BleAddress.IsAddress(text));
    }
}
