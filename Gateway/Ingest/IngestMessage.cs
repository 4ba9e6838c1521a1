namespace Vitals.Gateway.Ingest;

/// <summary>
/// One message as a source received it, before decoding: the same shape whether an MQTT broker or a Bluetooth session
/// produced it, so decoding, storage and delivery know nothing of transports. Each source parses its own addressing
/// (topics, GATT paths) into <see cref="DeviceId"/> and <see cref="Format"/>; a message it cannot address at all is
/// submitted as a rejection (<see cref="IngestPipeline.SubmitRejectedAsync"/>).
/// </summary>
/// <param name="DeviceId">The device the payload is from: it picks the patient binding.</param>
/// <param name="Source">Where it came from, in the source's own terms; kept with rejections and dead letters.</param>
/// <param name="Format">How <paramref name="Payload"/> is encoded.</param>
/// <param name="Payload">The raw bytes, kept unchanged for the rejected store and dead letters.</param>
/// <param name="ReceivedAt">The gateway's clock at receipt.</param>
public sealed record IngestMessage(
    string DeviceId, IngestSource Source, PayloadFormat Format, ReadOnlyMemory<byte> Payload, DateTimeOffset ReceivedAt)
{
    /// <summary>What the source knows about the device (clock offset, temperature type).</summary>
    public DeviceContext Context { get; init; } = DeviceContext.None;
}
