using Vitals.Devices;

namespace Vitals.Gateway.Storage;

/// <summary>
/// One <see cref="IngestRecord"/> turned into column values. Built before the write lock is taken, so that JSON
/// serialisation and identity keys of concurrent batches do not queue behind each other.
/// </summary>
internal sealed class CommitRow
{
    private CommitRow(IngestRecord record)
    {
        var message = record.Message;
        ReceivedAt = message.ReceivedAt;
        ReceivedAtText = SqliteTime.Format(message.ReceivedAt);
        Topic = message.Topic;
        Source = message.Source;
        Payload = message.Payload.ToArray();
    }

    public DateTimeOffset ReceivedAt { get; }
    public string ReceivedAtText { get; }
    public string Topic { get; }
    public string Source { get; }
    public byte[] Payload { get; }

    /// <summary>The decoded reading's device, or null for a rejected message.</summary>
    public string? DeviceId { get; private init; }
    public string IdentityKey { get; private init; } = "";
    public string Kind { get; private init; } = "";
    public string EffectiveTime { get; private init; } = "";
    public string ReadingJson { get; private init; } = "";
    public string RejectReason { get; private init; } = "";

    public static CommitRow From(IngestRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(record.Message);
        if ((record.Reading is null) == (record.Error is null))
        {
            throw new ArgumentException("an ingest record carries either a reading or a decode error, not both or neither", nameof(record));
        }
        if (record.Reading is { } reading)
        {
            return new CommitRow(record)
            {
                DeviceId = reading.DeviceId,
                IdentityKey = ReadingIdentity.Key(reading),
                Kind = reading.Kind.ToTopicName(),
                EffectiveTime = SqliteTime.Format(reading.EffectiveTime),
                ReadingJson = Storage.ReadingJson.Serialize(reading),
            };
        }
        return new CommitRow(record) { RejectReason = record.Error!.Value.ToString() };
    }
}
