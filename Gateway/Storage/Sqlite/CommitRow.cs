using Vitals.Devices;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary>
/// One <see cref="IngestRecord"/> turned into column values. Built before the write lock is taken, so that JSON
/// serialisation and identity keys of concurrent batches do not queue behind each other.
/// </summary>
internal sealed class CommitRow
{
    private CommitRow(IngestRecord record)
    {
        ReceivedAt = record.ReceivedAt;
        ReceivedAtText = SqliteTime.Format(record.ReceivedAt);
        Origin = record.Origin;
        Payload = record.PayloadArray();
    }

    public DateTimeOffset ReceivedAt { get; }
    public string ReceivedAtText { get; }
    public string Origin { get; }
    public byte[] Payload { get; }

    /// <summary>The decoded reading's device, or null for a rejected message.</summary>
    public string? DeviceId { get; private init; }
    /// <summary>The reading's user index (its slot on a multi-user device), or null.</summary>
    public int? UserIndex { get; private init; }
    public string IdentityKey { get; private init; } = "";
    public string Kind { get; private init; } = "";
    public string EffectiveTime { get; private init; } = "";
    public string ReadingJson { get; private init; } = "";
    public string RejectReason { get; private init; } = "";

    public static CommitRow From(IngestRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record switch
        {
            IngestRecord.Accepted { Reading: var reading } accepted => new CommitRow(record)
            {
                DeviceId = reading.DeviceId,
                UserIndex = reading.UserId,
                IdentityKey = accepted.IdentityKey,
                Kind = reading.Kind.ToTopicName(),
                EffectiveTime = SqliteTime.Format(reading.EffectiveTime),
                ReadingJson = accepted.ReadingJson,
            },
            IngestRecord.Rejected { Error: var error } => new CommitRow(record) { RejectReason = error.ToString() },
            _ => throw new ArgumentException($"unknown ingest record {record.GetType().Name}", nameof(record)),
        };
    }
}
