namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>A publish on <paramref name="Topic"/> by the MQTT client <paramref name="ClientId"/>.</summary>
public sealed record MqttSource(string Topic, string ClientId) : IngestSource
{
    public override string ToString() => $"mqtt {Topic} from client {ClientId}";
}
