using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vitals.Devices;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Ingest;

/// <summary>
/// The entry point every source (embedded broker, external broker client, BLE) hands its messages to.
/// Decoding happens on the caller's thread; committing happens in batches on <see cref="IngestWriter"/>.
/// The returned task completes only once the message (reading or rejection) is committed, so a source acknowledges
/// after awaiting it and never before: that ordering is the whole durability guarantee.
/// </summary>
public sealed class IngestPipeline
{
    private readonly Channel<PendingCommit> _queue;
    private readonly MessageDecoder _decoder;
    private readonly int _maxPayloadBytes;
    private readonly IDeviceInformation? _deviceInformation;
    private readonly TimeProvider _time;
    // What each publisher last said about itself: an unchanged device object costs no store write.
    private readonly ConcurrentDictionary<string, DeviceInformation> _described = new(StringComparer.Ordinal);

    public IngestPipeline(MessageDecoder decoder, IOptions<IngestOptions> options)
        : this(decoder, options, null, TimeProvider.System)
    {
    }

    /// <param name="deviceInformation">Where a payload's <c>device</c> object is kept (README, "MQTT contract").</param>
    [ActivatorUtilitiesConstructor]
    public IngestPipeline(MessageDecoder decoder, IOptions<IngestOptions> options, IDeviceInformation? deviceInformation, TimeProvider time)
    {
        _decoder = decoder;
        _deviceInformation = deviceInformation;
        _time = time;
        _maxPayloadBytes = options.Value.MaxPayloadBytes;
        // Bounded: when the store falls behind, sources wait (MQTT back-pressure) instead of the gateway growing without limit.
        _queue = Channel.CreateBounded<PendingCommit>(new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    internal ChannelReader<PendingCommit> Reader => _queue.Reader;

    /// <summary>Decodes, queues and waits for the commit; <paramref name="ct"/> stops the waiting too.</summary>
    public async Task<IngestOutcome> SubmitAsync(IngestMessage message, CancellationToken ct) =>
        await (await QueueAsync(message, ct).ConfigureAwait(false)).WaitAsync(ct).ConfigureAwait(false);

    /// <summary>
    /// Decodes and queues the message, returning once it is queued (that wait is the back-pressure); the task it returns
    /// completes when the message is committed. For a source that acknowledges later on another path (the embedded
    /// broker's PUBACK, sent by the connection's own sender) and meanwhile takes the next message of the same
    /// connection, so one connection's messages can share a group commit. <paramref name="ct"/> cancels the queueing
    /// only: the returned task always ends, committed, failed with the commit, or cancelled when the writer stops
    /// (<see cref="IngestWriter"/>).
    /// </summary>
    public ValueTask<Task<IngestOutcome>> QueueAsync(IngestMessage message, CancellationToken ct)
    {
        var origin = message.Source.ToString();
        IngestRecord record = _decoder.TryDecode(message, out var reading, out var device, out var error)
            ? new IngestRecord.Accepted(origin, message.ReceivedAt, message.Payload, reading)
            : new IngestRecord.Rejected(origin, message.ReceivedAt, KeepablePart(message.Payload), error);
        if (device is not null && _deviceInformation is not null
            && !(_described.TryGetValue(message.DeviceId, out var known) && known == device))
        {
            return DescribeThenEnqueueAsync(message.DeviceId, device, record, ct);
        }
        return EnqueueAsync(record, ct);
    }

    /// <summary>
    /// The device record is written before the reading is queued, so the reading's delivery finds it (its FHIR Device
    /// carries what the publisher said). A store failure here fails the message like a failed commit would.
    /// </summary>
    private async ValueTask<Task<IngestOutcome>> DescribeThenEnqueueAsync(string deviceId, DeviceInformation device, IngestRecord record, CancellationToken ct)
    {
        await _deviceInformation!.SaveAsync(deviceId, device, _time.GetUtcNow(), ct).ConfigureAwait(false);
        _described[deviceId] = device;
        return await EnqueueAsync(record, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Keeps a message its source already found undecodable (an MQTT topic that names no device or format, a BLE GHS
    /// segment stream that broke mid-record), with the source's reason, through the same queue and commit as
    /// <see cref="SubmitAsync"/>. An oversize payload is refused for its size first, as in <see cref="MessageDecoder"/>.
    /// </summary>
    public async Task<IngestOutcome> SubmitRejectedAsync(
        IngestSource source, ReadOnlyMemory<byte> payload, DateTimeOffset receivedAt, DecodeError error, CancellationToken ct) =>
        await (await QueueRejectedAsync(source, payload, receivedAt, error, ct).ConfigureAwait(false)).WaitAsync(ct).ConfigureAwait(false);

    /// <summary><see cref="SubmitRejectedAsync"/> in two steps, as <see cref="QueueAsync"/>.</summary>
    public ValueTask<Task<IngestOutcome>> QueueRejectedAsync(
        IngestSource source, ReadOnlyMemory<byte> payload, DateTimeOffset receivedAt, DecodeError error, CancellationToken ct)
    {
        if (!_decoder.FitsSizeLimit(payload.Length, out var sizeError)) error = sizeError;
        return EnqueueAsync(new IngestRecord.Rejected(source.ToString(), receivedAt, KeepablePart(payload), error), ct);
    }

    private async ValueTask<Task<IngestOutcome>> EnqueueAsync(IngestRecord record, CancellationToken ct)
    {
        var pending = new PendingCommit(record);
        await _queue.Writer.WriteAsync(pending, ct).ConfigureAwait(false);
        return pending.Committed.Task;
    }

    internal void Complete() => _queue.Writer.TryComplete();

    // An oversize payload is kept only up to the limit (its reason records the full size): one publisher sending
    // megabytes must not fill the store.
    private ReadOnlyMemory<byte> KeepablePart(ReadOnlyMemory<byte> payload) =>
        payload.Length <= _maxPayloadBytes ? payload : payload[.._maxPayloadBytes];
}

internal sealed class PendingCommit(IngestRecord record)
{
    public IngestRecord Record { get; } = record;

    // RunContinuationsAsynchronously: the writer must not run every source's acknowledgement inline.
    public TaskCompletionSource<IngestOutcome> Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
