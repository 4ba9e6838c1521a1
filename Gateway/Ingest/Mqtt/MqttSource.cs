using Vitals.Devices;

namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>A publish on <paramref name="Topic"/> by the MQTT client <paramref name="ClientId"/>.</summary>
public sealed record MqttSource(string Topic, string ClientId) : IngestSource
{
    // Both come from the client: control characters are escaped and the length capped (topics may be 64 KiB, MQTT
    // 3.1.1 §1.5.3 / MQTT 5.0 §1.5.4) so that the rejected store and the log stay one readable line each.
    public override string ToString() => $"mqtt {DeviceText.Echo(Topic, 200)} from client {DeviceText.Echo(ClientId, 64)}";
}
