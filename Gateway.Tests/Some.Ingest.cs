using System.Diagnostics.CodeAnalysis;
using Vitals.Devices;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Ingest.Mqtt;

namespace Vitals.Gateway.Tests;

internal static partial class Some
{
    /// <summary>The message an MQTT publish on a well-formed <paramref name="topic"/> becomes.</summary>
    public static IngestMessage MqttMessage(string topic, byte[] payload, DateTimeOffset receivedAt, string client = "test") =>
        MqttPublish.TryCreateMessage(topic, client, payload, receivedAt, out var message, out var error)
            ? message
            : throw new ArgumentException($"not a topic of the contract: {error}", nameof(topic));

    /// <summary>Decodes a publish in the pipeline's order: the size limit, then the topic, then the payload.</summary>
    public static bool TryDecodePublish(this MessageDecoder decoder, string topic, byte[] payload, DateTimeOffset receivedAt,
        [NotNullWhen(true)] out Reading? reading, out DecodeError error)
    {
        reading = null;
        return decoder.FitsSizeLimit(payload.Length, out error)
            && MqttPublish.TryCreateMessage(topic, "test", payload, receivedAt, out var message, out error)
            && decoder.TryDecode(message, out reading, out error);
    }
}
