using Vitals.Devices.Gatt;

namespace Vitals.Gateway.Ingest;

/// <summary>
/// What the source learnt about the sending device beyond the payload itself, for the decoder. MQTT publishers say
/// everything in their payload (<see cref="None"/>); a Bluetooth session reads it from the device on each connection.
/// </summary>
public sealed record DeviceContext
{
    public static DeviceContext None { get; } = new();

    /// <summary>
    /// How far the device's clock is ahead of the gateway's, measured through Current Time 0x2A2B; the decoder corrects
    /// device-local time stamps by it. Zero when nobody measured it.
    /// </summary>
    public TimeSpan ClockOffset { get; init; }

    /// <summary>When the gateway measured <see cref="ClockOffset"/> (its own clock); null when nobody did.</summary>
    public DateTimeOffset? ClockMeasuredAt { get; init; }

    /// <summary>
    /// The thermometer's Temperature Type 0x2A1D: the site of 0x2A1C values that carry no type of their own (Health
    /// Thermometer Service 1.0, Temperature Type). Null when the device has none or nobody read it.
    /// </summary>
    public TemperatureType? TemperatureType { get; init; }

    /// <summary>
    /// The scale's Weight Scale Feature 0x2A9E, read on connection: its resolutions set the decimals of 0x2A9D weights
    /// and heights (Weight Scale Service 1.0). Null when the device has none or nobody read it.
    /// </summary>
    public WeightScaleFeature? WeightFeature { get; init; }
}
