using Vitals.Devices.Gatt;

namespace Vitals.Gateway.Ingest;

/// <summary>A message as it arrived from a source (MQTT publish, BLE indication), before decoding.</summary>
/// <param name="Topic">The MQTT topic, or for BLE the equivalent <c>vitals/{deviceId}/gatt/{uuid}</c>.</param>
/// <param name="Payload">The raw bytes, kept unchanged for the rejected store and dead letters.</param>
/// <param name="ReceivedAt">The gateway's clock at receipt.</param>
/// <param name="Source">Who sent it: MQTT client id, or "ble".</param>
public sealed record IncomingMessage(string Topic, ReadOnlyMemory<byte> Payload, DateTimeOffset ReceivedAt, string Source)
{
    /// <summary>
    /// How far the sending device's clock is ahead of the gateway's, when the source measured it (BLE reads Current
    /// Time 0x2A2B on each connection); the decoder corrects device-local time stamps by it. Zero for MQTT.
    /// </summary>
    public TimeSpan DeviceClockOffset { get; init; }

    /// <summary>
    /// The thermometer's Temperature Type 0x2A1D when the source read it (BLE, on each connection): the site of
    /// 0x2A1C values that carry no type of their own (HTS 1.0). Null for MQTT, whose payloads say it themselves.
    /// </summary>
    public TemperatureType? FallbackTemperatureType { get; init; }
}
