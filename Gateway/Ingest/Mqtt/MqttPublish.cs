using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Vitals.Devices;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>
/// The MQTT adapters' one way into the pipeline: the topic says which device sent the payload and how it is encoded
/// (<see cref="VitalsTopic"/>); a topic that says neither makes the publish a rejection, kept with its reason.
/// </summary>
public static class MqttPublish
{
    /// <summary>
    /// Queues the publish as a reading, or as a rejection when its topic says no device or format
    /// (<see cref="IngestPipeline.QueueAsync"/>): returns once it is queued; the task it returns completes when it is
    /// committed.
    /// </summary>
    public static ValueTask<Task<IngestOutcome>> QueueAsync(
        IngestPipeline pipeline, string topic, string clientId, ReadOnlyMemory<byte> payload, DateTimeOffset receivedAt, CancellationToken ct) =>
        TryCreateMessage(topic, clientId, payload, receivedAt, out var message, out var error)
            ? pipeline.QueueAsync(message, ct)
            : pipeline.QueueRejectedAsync(new MqttSource(topic, clientId), payload, receivedAt, error, ct);

    /// <summary>The message a publish on <paramref name="topic"/> carries. Never throws; on failure the error says why.</summary>
    public static bool TryCreateMessage(string topic, string clientId, ReadOnlyMemory<byte> payload, DateTimeOffset receivedAt,
        [NotNullWhen(true)] out IngestMessage? message, out DecodeError error)
    {
        message = null;
        if (!VitalsTopic.TryParse(topic, out var parsed, out error)) return false;
        PayloadFormat format;
        if (!parsed.IsGatt)
        {
            format = PayloadFormat.Json(parsed.Kind.Value);
        }
        else if (parsed.GattUuid.Length == 4)
        {
            format = PayloadFormat.Gatt(ushort.Parse(parsed.GattUuid, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
        }
        else
        {
            // A full UUID outside the Bluetooth Base is a vendor's own characteristic (Core Specification vol 3
            // part B 2.5.1): no health profile defines its layout.
            error = new("0x" + parsed.GattUuid.ToUpperInvariant(),
                "not a health measurement characteristic this gateway decodes (a vendor UUID; it decodes Bluetooth SIG characteristics)");
            return false;
        }
        message = new IngestMessage(parsed.DeviceId, new MqttSource(topic, clientId), format, payload, receivedAt);
        return true;
    }
}
