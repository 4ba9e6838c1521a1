using System.Globalization;
using Microsoft.Data.Sqlite;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using static Vitals.Gateway.Storage.Sqlite.Sql;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary>
/// <see cref="IIngestCommit"/>: a batch of readings and rejections in one transaction, on the prepared statements of
/// the hot path.
/// </summary>
public sealed class SqliteIngestCommit(SqliteDatabase db) : IIngestCommit
{
    public async Task<IReadOnlyList<IngestOutcome>> CommitAsync(IReadOnlyList<IngestRecord> batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return [];
        }
        var rows = new CommitRow[batch.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = CommitRow.From(batch[i]);
        }

        return await db.WriteAsync((_, _, commands) =>
        {
            var now = SqliteTime.Format(db.Time.GetUtcNow());
            var outcomes = new IngestOutcome[rows.Length];
            // Within the transaction nobody else can change a binding, so a slot's bindings are looked up once (and
            // cached across batches until they change: SqliteCommitCommands); each reading then takes the binding of its
            // slot whose validity contains its own effective time.
            var devices = new Dictionary<string, (DateTimeOffset LastSeen, string LastSeenText, long Count)>(StringComparer.Ordinal);
            int queued = 0, quarantined = 0, duplicates = 0, rejected = 0;

            for (var i = 0; i < rows.Length; i++)
            {
                var row = rows[i];
                if (row.DeviceId is not { } deviceId)
                {
                    commands.InsertRejected(row);
                    outcomes[i] = IngestOutcome.Rejected;
                    rejected++;
                    continue;
                }
                var patient = commands.FindBindings(deviceId, row.UserIndex).PatientAt(row.EffectiveTime);
                var readingId = commands.InsertReading(row, patient, patient is null ? SqliteSchema.Quarantined : SqliteSchema.Queued);
                if (readingId is not { } id)
                {
                    outcomes[i] = IngestOutcome.Duplicate;
                    duplicates++;
                    continue;
                }
                if (patient is not null)
                {
                    commands.InsertOutbox(id, row.EffectiveTime, now);
                    outcomes[i] = IngestOutcome.Queued;
                    queued++;
                }
                else
                {
                    outcomes[i] = IngestOutcome.Quarantined;
                    quarantined++;
                }
                devices[deviceId] = devices.TryGetValue(deviceId, out var seen)
                    ? (row.ReceivedAt > seen.LastSeen ? (row.ReceivedAt, row.ReceivedAtText, seen.Count + 1) : seen with { Count = seen.Count + 1 })
                    : (row.ReceivedAt, row.ReceivedAtText, 1);
            }

            foreach (var (deviceId, seen) in devices)
            {
                commands.TouchDevice(deviceId, seen.LastSeenText, seen.Count);
            }
            if (rejected > 0)
            {
                commands.AddToCounter(SqliteSchema.RejectedCounter, rejected);
            }
            StoreLog.BatchCommitted(db.Log, rows.Length, queued, quarantined, duplicates, rejected);
            return (IReadOnlyList<IngestOutcome>)outcomes;
        }, ct).ConfigureAwait(false);
    }
}
