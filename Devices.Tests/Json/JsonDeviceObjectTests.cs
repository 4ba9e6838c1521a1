using System.Text;
using Vitals.Devices;
using Vitals.Devices.Json;

namespace Vitals.Devices.Tests.Json;

/// <summary>The optional <c>device</c> object of an MQTT payload (README, "MQTT contract").</summary>
public sealed class JsonDeviceObjectTests
{
    private static readonly DecodeContext Context = DecodeContext.At(new DateTimeOffset(2026, 11, 25, 8, 35, 0, TimeSpan.Zero));

    [Fact]
    public void A_device_object_gives_what_the_publisher_says_about_itself()
    {
        var ok = Decode("""{"value": 72.5, "unit": "kg", "device": {"maker": " Acme Health ", "model": "WS-2", "serial": "A123", "firmware": "1.0.7", "colour": "blue"}}""",
            out var device, out var error);

        Assert.True(ok, error.ToString());
        Assert.Equal(new DeviceInformation { Manufacturer = "Acme Health", Model = "WS-2", Serial = "A123", Firmware = "1.0.7" }, device);
    }

    [Theory]
    [InlineData("""{"value": 72.5, "unit": "kg"}""")]
    [InlineData("""{"value": 72.5, "unit": "kg", "device": null}""")]
    [InlineData("""{"value": 72.5, "unit": "kg", "device": {}}""")]
    [InlineData("""{"value": 72.5, "unit": "kg", "device": {"model": null}}""")]
    public void Without_a_device_object_or_with_nothing_in_it_there_is_no_device_information(string json)
    {
        Assert.True(Decode(json, out var device, out _));
        Assert.Null(device);
    }

    [Theory]
    [InlineData("""{"value": 72.5, "unit": "kg", "device": "WS-2"}""", "$.device", "expected an object")]
    [InlineData("""{"value": 72.5, "unit": "kg", "device": {"model": 2}}""", "$.device.model", "expected a string, got a number (2)")]
    [InlineData("""{"value": 72.5, "unit": "kg", "device": {"serial": "  "}}""", "$.device.serial", "must not be empty")]
    [InlineData("""{"value": 72.5, "unit": "kg", "device": {"firmware": "1.0\u001b[2J"}}""", "$.device.firmware", "control characters")]
    [InlineData("""{"value": 72.5, "unit": "kg", "device": {"maker": "A", "manufacturer": "B"}}""", "$.device.manufacturer", "duplicate key 'manufacturer' (maker and manufacturer")]
    [InlineData("""{"value": 72.5, "unit": "kg", "device": {"model": "A"}, "device": {"model": "B"}}""", "$.device", "duplicate key 'device'")]
    public void A_bad_device_object_rejects_the_message_naming_the_path(string json, string where, string message)
    {
        Assert.False(Decode(json, out var device, out var error));

        Assert.Null(device);
        Assert.Equal(where, error.Where.ToString());
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_over_64_characters_is_refused_with_its_length() =>
        Assert.False(Decode("""{"value": 72.5, "unit": "kg", "device": {"model": "MODEL"}}""".Replace("MODEL", new string('m', 65), StringComparison.Ordinal), out _, out var error)
            && error.Message.Contains("65 characters", StringComparison.Ordinal));

    private static bool Decode(string json, out DeviceInformation? device, out DecodeError error) =>
        JsonReadingDecoder.TryDecode("scale-1", VitalKind.BodyWeight, Encoding.UTF8.GetBytes(json), Context, out _, out device, out error);
}
