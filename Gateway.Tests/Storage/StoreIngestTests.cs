using System.Diagnostics;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;
using Xunit.Abstractions;

namespace Vitals.Gateway.Tests.Storage;

public abstract class StoreIngestTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly PatientId Patient = PatientId.Parse("Patient/123");
    private readonly TempStore _temp;
    private readonly ITestOutputHelper _output;

    private protected StoreIngestTests(TempStore temp, ITestOutputHelper output)
    {
        _temp = temp;
        _output = output;
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Bound_device_reading_is_queued_and_unbound_device_reading_is_quarantined()
    {
        var store = await _temp.OpenAsync();
        await store.Bindings.BindAsync("thermo-1", null, Patient, Some.BoundLongAgo, None);
        var bound = Some.StoredThermometer("thermo-1");
        var unbound = Some.StoredThermometer("thermo-2");

        var outcomes = await store.Ingest.CommitAsync([Some.AcceptedRecord(bound), Some.AcceptedRecord(unbound)], None);

        Assert.Equal([IngestOutcome.Queued, IngestOutcome.Quarantined], outcomes);
        var due = Assert.Single(await store.Outbox.GetDueAsync(_temp.Clock.GetUtcNow(), 10, new HashSet<long>(), headsOnly: false, None));
        Assert.Equal(bound, due.Reading);
        Assert.Equal(Patient, due.Patient);
        Assert.Equal(0, due.Attempts);
        var quarantined = Assert.Single(await store.Quarantine.ListQuarantineAsync(null, 10, None));
        Assert.Equal("thermo-2", quarantined.DeviceId);
        Assert.Equal(unbound, quarantined.Reading);
        var status = await store.Status.GetOutboxStatusAsync(None);
        Assert.Equal((1L, 1L, 1L, 0L, 0L), (status.Pending, status.Due, status.Quarantined, status.Delivered, status.Rejected));
    }

    [Fact]
    public async Task Queued_entry_carries_the_original_message_and_the_full_reading()
    {
        var store = await _temp.OpenAsync();
        await store.Bindings.BindAsync("cuff-1", null, Patient, Some.BoundLongAgo, None);
        var reading = Some.StoredCuff("cuff-1");
        var record = Some.AcceptedRecord(reading);

        await store.Ingest.CommitAsync([record], None);

        var entry = Assert.Single(await store.Outbox.GetDueAsync(_temp.Clock.GetUtcNow(), 10, new HashSet<long>(), headsOnly: false, None));
        Assert.Equal(reading, entry.Reading);
        Assert.Equal("97.30", entry.Reading.MeanArterial!.Value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(TimeSpan.FromHours(1), entry.Reading.EffectiveTime.Offset);
        Assert.Equal(record.Origin, entry.Origin);
        Assert.Equal(record.Payload.ToArray(), entry.Payload);
        Assert.Equal(_temp.Clock.GetUtcNow(), entry.EnqueuedAt);
    }

    [Fact]
    public async Task Resent_reading_is_a_duplicate_and_writes_nothing()
    {
        var store = await _temp.OpenAsync();
        await store.Bindings.BindAsync("thermo-1", null, Patient, Some.BoundLongAgo, None);
        var reading = Some.StoredThermometer("thermo-1", measurementId: "7");
        await store.Ingest.CommitAsync([Some.AcceptedRecord(reading, Some.MeasuredAt.AddSeconds(5))], None);
        var devicesBefore = await store.Bindings.ListDevicesAsync(null, None);

        // The broker redelivers the same measurement later, even with a different value rendering.
        var resend = reading with { Value = new Quantity(37.6m, Ucum.Celsius) };
        var outcomes = await store.Ingest.CommitAsync([Some.AcceptedRecord(resend, Some.MeasuredAt.AddMinutes(5))], None);

        Assert.Equal([IngestOutcome.Duplicate], outcomes);
        var status = await store.Status.GetOutboxStatusAsync(None);
        Assert.Equal(1, status.Pending);
        Assert.Equal(devicesBefore, await store.Bindings.ListDevicesAsync(null, None));
    }

    [Fact]
    public async Task Second_copy_within_one_batch_is_a_duplicate()
    {
        var store = await _temp.OpenAsync();
        var reading = Some.StoredThermometer();

        var outcomes = await store.Ingest.CommitAsync([Some.AcceptedRecord(reading), Some.AcceptedRecord(reading)], None);

        Assert.Equal([IngestOutcome.Quarantined, IngestOutcome.Duplicate], outcomes);
        Assert.Single(await store.Quarantine.ListQuarantineAsync(null, 10, None));
    }

    [Fact]
    public async Task Resend_of_a_quarantined_reading_after_binding_is_not_queued_twice()
    {
        var store = await _temp.OpenAsync();
        var reading = Some.StoredThermometer();
        await store.Ingest.CommitAsync([Some.AcceptedRecord(reading)], None);
        await store.Bindings.BindAsync(reading.DeviceId, null, Patient, Some.BoundLongAgo, None);

        var outcomes = await store.Ingest.CommitAsync([Some.AcceptedRecord(reading)], None);

        Assert.Equal([IngestOutcome.Duplicate], outcomes);
        Assert.Single(await store.Outbox.GetDueAsync(_temp.Clock.GetUtcNow(), 10, new HashSet<long>(), headsOnly: false, None));
    }

    [Fact]
    public async Task Undecodable_message_is_rejected_with_its_reason_and_exact_payload()
    {
        var store = await _temp.OpenAsync();
        byte[] payload = [0x7B, 0x22, 0xFF, 0x00, 0xC3, 0x28]; // not even UTF-8: must come back byte for byte
        var record = Some.RejectedRecord(payload, "vitals/thermo-1/body-temperature", new DecodeError("byte 2", "invalid UTF-8"), Some.MeasuredAt);

        var outcomes = await store.Ingest.CommitAsync([record], None);

        Assert.Equal([IngestOutcome.Rejected], outcomes);
        var rejected = Assert.Single(await store.Rejected.ListRejectedAsync(10, None));
        Assert.Equal("byte 2: invalid UTF-8", rejected.Reason);
        Assert.Equal(payload, rejected.Payload);
        Assert.Equal("mqtt vitals/thermo-1/body-temperature from client publisher-9", rejected.Origin);
        Assert.Equal(Some.MeasuredAt, rejected.ReceivedAt);
        Assert.Equal(1, (await store.Status.GetOutboxStatusAsync(None)).Rejected);
        Assert.Empty(await store.Bindings.ListDevicesAsync(null, None));
    }

    [Fact]
    public async Task Mixed_batch_returns_one_outcome_per_record_in_order()
    {
        var store = await _temp.OpenAsync();
        await store.Bindings.BindAsync("cuff-1", null, Patient, Some.BoundLongAgo, None);
        var cuff = Some.StoredCuff("cuff-1");

        var outcomes = await store.Ingest.CommitAsync(
        [
            Some.RejectedRecord(),
            Some.AcceptedRecord(cuff),
            Some.AcceptedRecord(Some.StoredThermometer("thermo-9")),
            Some.AcceptedRecord(cuff),
            Some.RejectedRecord(),
        ], None);

        Assert.Equal(
            [IngestOutcome.Rejected, IngestOutcome.Queued, IngestOutcome.Quarantined, IngestOutcome.Duplicate, IngestOutcome.Rejected],
            outcomes);
        var rejected = await store.Rejected.ListRejectedAsync(10, None);
        Assert.Equal(2, rejected.Count);
        Assert.True(rejected[0].Id > rejected[1].Id, "rejected messages are listed newest first");
        Assert.Single(await store.Rejected.ListRejectedAsync(1, None));
    }

    [Fact]
    public async Task Empty_batch_has_no_outcomes()
    {
        var store = await _temp.OpenAsync();

        Assert.Empty(await store.Ingest.CommitAsync([], None));
    }

    [Fact]
    public async Task Concurrent_commits_from_several_tasks_store_each_measurement_once()
    {
        var store = await _temp.OpenAsync();
        await store.Bindings.BindAsync("dev-0", null, Patient, Some.BoundLongAgo, None);
        await store.Bindings.BindAsync("dev-2", null, PatientId.Parse("http://example.org/mrn|555"), Some.BoundLongAgo, None);
        const int tasks = 4, batches = 10, perBatch = 50;

        // Each task publishes its own device's readings and also re-sends task 0's, as a redelivering broker would.
        var results = await Task.WhenAll(Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
        {
            var outcomes = new List<(string Key, IngestOutcome Outcome)>();
            for (var b = 0; b < batches; b++)
            {
                var records = Some.ThermometerBatch($"dev-{t}", perBatch, b * perBatch)
                    .Concat(t == 0 ? [] : Some.ThermometerBatch("dev-0", 5, b * perBatch))
                    .ToList();
                var result = await store.Ingest.CommitAsync(records, None);
                outcomes.AddRange(records.Select((r, i) => (ReadingIdentity.Key(((IngestRecord.Accepted)r).Reading), result[i])));
            }
            return outcomes;
        })));

        var all = results.SelectMany(r => r).ToList();
        var stored = all.Where(o => o.Outcome != IngestOutcome.Duplicate).ToList();
        Assert.Equal(tasks * batches * perBatch, stored.Count);
        Assert.Equal(stored.Count, stored.Select(o => o.Key).Distinct().Count());
        var status = await store.Status.GetOutboxStatusAsync(None);
        Assert.Equal(2 * batches * perBatch, status.Pending);
        Assert.Equal(2 * batches * perBatch, status.Quarantined);
        Assert.Equal(2 * batches * perBatch, stored.Count(o => o.Outcome == IngestOutcome.Queued));
        var devices = await store.Bindings.ListDevicesAsync(null, None);
        Assert.All(devices, d => Assert.Equal(batches * perBatch, d.Readings));
    }

    [Fact]
    public async Task Sustained_batches_are_all_stored()
    {
        var store = await _temp.OpenAsync();
        for (var d = 0; d < 20; d++)
        {
            await store.Bindings.BindAsync($"dev-{d}", null, Patient, Some.BoundLongAgo, None);
        }
        const int batchSize = 250, batchCount = 80;
        var batches = Enumerable.Range(0, batchCount)
            .Select(b => (IReadOnlyList<IngestRecord>)Enumerable.Range(0, batchSize)
                .Select(i => Some.AcceptedRecord(Some.StoredThermometer($"dev-{i % 20}", 37.0m, Some.MeasuredAt.AddSeconds(b * batchSize + i))))
                .ToList())
            .ToList();

        var watch = Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            Assert.All(await store.Ingest.CommitAsync(batch, None), o => Assert.Equal(IngestOutcome.Queued, o));
        }
        watch.Stop();

        Assert.Equal(batchSize * batchCount, (await store.Status.GetOutboxStatusAsync(None)).Pending);
        // Informational only (not asserted): machines differ.
        _output.WriteLine($"{batchSize * batchCount} readings in {batchCount} batches: {watch.Elapsed.TotalMilliseconds:F0} ms, " +
            $"{batchSize * batchCount / watch.Elapsed.TotalSeconds:F0} readings/s ({_temp.Provider})");
    }
}
