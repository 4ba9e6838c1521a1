namespace Vitals.Devices;

/// <summary>What a decoder needs to know about the moment and place of receipt. Pure data: decoders do no I/O.</summary>
public sealed record DecodeContext(DateTimeOffset ReceivedAt, TimeZoneInfo LocalZone, PlausibilityLimits Limits)
{
    /// <summary>
    /// How far the device's wall clock is ahead of the gateway's (negative: behind), when the gateway measured it
    /// (BLE Current Time 0x2A2B). Device-local time stamps (no zone) are moved back by it before they are placed in
    /// <see cref="LocalZone"/>; the raw <see cref="Reading.DeviceTime"/> stays as the device sent it, so the identity
    /// of a resent measurement does not depend on the estimate. Zero (the default) when nobody measured it.
    /// </summary>
    public TimeSpan DeviceClockOffset { get; init; }

    /// <summary>When the gateway measured <see cref="DeviceClockOffset"/> (its own clock); null when nobody did.</summary>
    public DateTimeOffset? DeviceClockMeasuredAt { get; init; }

    /// <summary>
    /// The scale's Weight Scale Feature 0x2A9E when the gateway read it: its weight and height resolutions set the
    /// decimals of 0x2A9D values (Weight Scale Service 1.0). Null: the characteristic's own step (3 decimals in kg).
    /// </summary>
    public Gatt.WeightScaleFeature? WeightFeature { get; init; }

    public static DecodeContext At(DateTimeOffset receivedAt) => new(receivedAt, TimeZoneInfo.Local, PlausibilityLimits.Default);
}
