using Vitals.Devices;

namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>A publish on <paramref name="Topic"/> by the MQTT client <paramref name="ClientId"/>.</summary>
public sealed record MqttSource(string Topic, string ClientId) : IngestSource
{
    /// <summary>
    /// The sender chose both names, so the text kept with a rejection, logged and shown by <c>rejected list</c> has
    /// their control characters escaped and each cut to <see cref="SafeText.DefaultMaxChars"/>: a topic cannot forge a
    /// log line or move the cursor of the terminal that lists it.
    /// </summary>
    public override string ToString() => $"mqtt {SafeText.Escape(Topic)} from client {SafeText.Escape(ClientId)}";
}
