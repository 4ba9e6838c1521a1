using Vitals.Devices;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Tests.Storage;

public abstract class StoreOutboxTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly PatientId Patient = PatientId.Parse("Patient/123");
    private static readonly IReadOnlySet<long> NoneInFlight = new HashSet<long>();
    private readonly TempStore _temp;

    private protected StoreOutboxTests(TempStore temp)
    {
        _temp = temp;
    }

    public void Dispose() => _temp.Dispose();

    private DateTimeOffset Now => _temp.Clock.GetUtcNow();

    /// <summary>An opened store with <paramref name="minutes"/> queued thermometer readings (effective times in that order).</summary>
    private async Task<(StoreSet Store, IReadOnlyList<OutboxEntry> Entries)> QueuedAsync(params int[] minutes)
    {
        var store = await _temp.OpenAsync();
        await store.Bindings.BindAsync("thermo-1", null, Patient, Some.BoundLongAgo, None);
        await store.Ingest.CommitAsync(
            minutes.Select(m => Some.AcceptedRecord(Some.StoredThermometer("thermo-1", 37.0m, Some.MeasuredAt.AddMinutes(m)))).ToList(), None);
        return (store, await store.Outbox.GetDueAsync(Now, 100, NoneInFlight, headsOnly: false, None));
    }

    [Fact]
    public async Task Due_entries_come_oldest_effective_time_first_then_in_commit_order()
    {
        var store = await _temp.OpenAsync();
        await store.Bindings.BindAsync("cuff-1", null, Patient, Some.BoundLongAgo, None);
        await store.Bindings.BindAsync("thermo-1", null, Patient, Some.BoundLongAgo, None);
        // Offsets differ: the order is by instant, not by the text the device sent.
        var late = Some.StoredThermometer("thermo-1", 37.1m, new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.FromHours(-5)));
        var early = Some.StoredThermometer("thermo-1", 37.2m, new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.FromHours(2)));
        var tieA = Some.StoredCuff("cuff-1", Some.MeasuredAt, measurementId: "a");
        // Same instant, another measurement (identity scheme 2 tells them apart by their values).
        var tieB = Some.StoredCuff("cuff-1", Some.MeasuredAt, measurementId: "b") with { Pulse = new Quantity(65m, Ucum.PerMinute) };
        await store.Ingest.CommitAsync([Some.AcceptedRecord(late), Some.AcceptedRecord(tieA)], None);
        await store.Ingest.CommitAsync([Some.AcceptedRecord(tieB), Some.AcceptedRecord(early)], None);

        var due = await store.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None);

        Assert.Equal([early, tieA, tieB, late], due.Select(e => e.Reading));
        Assert.True(due[1].Id < due[2].Id);
    }

    /// <summary>An opened store with one thermometer reading per (device, minute), committed in that order.</summary>
    private async Task<(StoreSet Store, IReadOnlyList<OutboxEntry> Entries)> QueuedForDevicesAsync(params (string Device, int Minute)[] readings)
    {
        var store = await _temp.OpenAsync();
        foreach (var device in readings.Select(r => r.Device).Distinct())
            await store.Bindings.BindAsync(device, null, Patient, Some.BoundLongAgo, None);
        await store.Ingest.CommitAsync(
            readings.Select(r => Some.AcceptedRecord(Some.StoredThermometer(r.Device, 37.0m, Some.MeasuredAt.AddMinutes(r.Minute)))).ToList(), None);
        return (store, await store.Outbox.GetDueAsync(Now, 100, NoneInFlight, headsOnly: false, None));
    }

    [Fact]
    public async Task A_device_with_an_entry_in_flight_has_none_due_and_max_is_respected()
    {
        var (store, all) = await QueuedForDevicesAsync(("a", 0), ("b", 1), ("a", 2), ("c", 3), ("b", 4), ("d", 5));
        Assert.Equal(6, all.Count);

        // a's and c's first entries are in flight: a, c are held; b's two entries and d's are due, oldest first.
        var due = await store.Outbox.GetDueAsync(Now, 2, new HashSet<long> { all[0].Id, all[3].Id }, headsOnly: false, None);
        Assert.Equal([all[1].Id, all[4].Id], due.Select(e => e.Id));
        Assert.Equal([all[1].Id, all[4].Id, all[5].Id],
            (await store.Outbox.GetDueAsync(Now, 10, new HashSet<long> { all[0].Id, all[3].Id }, headsOnly: false, None)).Select(e => e.Id));
    }

    [Fact]
    public async Task Heads_only_gives_each_device_its_oldest_entry()
    {
        var (store, all) = await QueuedForDevicesAsync(("a", 0), ("b", 1), ("a", 2), ("c", 3), ("b", 4));

        var heads = await store.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: true, None);

        Assert.Equal([all[0].Id, all[1].Id, all[3].Id], heads.Select(e => e.Id));
        await store.Outbox.MarkDeliveredAsync(all[0].Id, Now, null, None);
        Assert.Equal([all[1].Id, all[2].Id, all[3].Id], (await store.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: true, None)).Select(e => e.Id));
    }

    [Fact]
    public async Task An_entry_waiting_for_a_retry_holds_the_later_entries_of_its_device_only()
    {
        var (store, all) = await QueuedForDevicesAsync(("a", 0), ("b", 1), ("a", 2), ("b", 3));
        var retryAt = Now.AddSeconds(30);

        await store.Outbox.ScheduleRetryAsync(all[0].Id, retryAt, "HTTP 503", None);

        Assert.Equal([all[1].Id, all[3].Id], (await store.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None)).Select(e => e.Id));
        Assert.Equal([all[0].Id, all[1].Id, all[2].Id, all[3].Id], (await store.Outbox.GetDueAsync(retryAt, 10, NoneInFlight, headsOnly: false, None)).Select(e => e.Id));
    }

    [Fact]
    public async Task A_dead_lettered_head_frees_its_device()
    {
        var (store, all) = await QueuedForDevicesAsync(("a", 0), ("a", 1));
        await store.Outbox.ScheduleRetryAsync(all[0].Id, Now.AddMinutes(5), "HTTP 503", None);
        Assert.Empty(await store.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None));

        await store.Outbox.DeadLetterAsync(all[0].Id, new DeadLetterReason("HTTP 422", 422, "{}", null), Now, None);

        Assert.Equal([all[1].Id], (await store.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None)).Select(e => e.Id));
    }

    [Fact]
    public async Task Several_entries_are_marked_delivered_in_one_transaction()
    {
        var (store, all) = await QueuedForDevicesAsync(("a", 0), ("b", 1), ("c", 2));

        await store.Outbox.MarkDeliveredAsync([new DeliveredEntry(all[0].Id, "Observation/1"), new DeliveredEntry(all[2].Id, null)], Now, None);

        Assert.Equal([all[1].Id], (await store.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None)).Select(e => e.Id));
        Assert.Equal(2L, (await store.Status.GetOutboxStatusAsync(None)).Delivered);
        // One unknown id rolls the whole set back: two senders had the same entry, a bug.
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            store.Outbox.MarkDeliveredAsync([new DeliveredEntry(all[1].Id, null), new DeliveredEntry(all[0].Id, null)], Now, None));
        Assert.Equal([all[1].Id], (await store.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None)).Select(e => e.Id));
    }

    [Fact]
    public async Task Retry_counts_the_attempt_and_hides_the_entry_until_it_is_due()
    {
        var (store, entries) = await QueuedForDevicesAsync(("thermo-1", 0), ("thermo-2", 1));
        var retryAt = Now.AddSeconds(30);

        await store.Outbox.ScheduleRetryAsync(entries[0].Id, retryAt, "HTTP 503", None);

        Assert.Equal([entries[1].Id], (await store.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None)).Select(e => e.Id));
        Assert.Equal(Now, await store.Outbox.GetNextDueAsync(None));
        var status = await store.Status.GetOutboxStatusAsync(None);
        Assert.Equal((2L, 1L, 1L), (status.Pending, status.Due, status.Retrying));

        await store.Outbox.MarkDeliveredAsync(entries[1].Id, Now, "Observation/2", None);
        Assert.Equal(retryAt, await store.Outbox.GetNextDueAsync(None));
        Assert.Empty(await store.Outbox.GetDueAsync(retryAt.AddTicks(-1), 10, NoneInFlight, headsOnly: false, None));
        var again = Assert.Single(await store.Outbox.GetDueAsync(retryAt, 10, NoneInFlight, headsOnly: false, None));
        Assert.Equal((entries[0].Id, 1), (again.Id, again.Attempts));

        await store.Outbox.ScheduleRetryAsync(entries[0].Id, retryAt.AddMinutes(1), "timeout", None);
        Assert.Equal(2, Assert.Single(await store.Outbox.GetDueAsync(retryAt.AddMinutes(1), 10, NoneInFlight, headsOnly: false, None)).Attempts);
    }

    [Fact]
    public async Task Delivered_entry_leaves_the_outbox_and_is_counted()
    {
        var (store, entries) = await QueuedAsync(0);

        await store.Outbox.MarkDeliveredAsync(entries[0].Id, Now, "Device/1,Observation/9", None);

        Assert.Empty(await store.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None));
        Assert.Null(await store.Outbox.GetNextDueAsync(None));
        var status = await store.Status.GetOutboxStatusAsync(None);
        Assert.Equal((0L, 1L, (DateTimeOffset?)null), (status.Pending, status.Delivered, status.OldestPending));
        Assert.Equal(1, _temp.Sql(
            "SELECT count(*) FROM readings WHERE state = 'delivered' AND server_ids = 'Device/1,Observation/9' AND delivered_at IS NOT NULL"));
        // A second delivery report for the same entry means two senders had it: a bug, not an outcome.
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.Outbox.MarkDeliveredAsync(entries[0].Id, Now, null, None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.Outbox.ScheduleRetryAsync(entries[0].Id, Now, "x", None));
        Assert.Equal([IngestOutcome.Duplicate], await store.Ingest.CommitAsync([Some.AcceptedRecord(entries[0].Reading)], None));
    }

    [Fact]
    public async Task Dead_letter_keeps_the_reason_the_exchange_and_the_original_message()
    {
        var (store, entries) = await QueuedAsync(0, 1);
        await store.Outbox.ScheduleRetryAsync(entries[0].Id, Now, "HTTP 503", None);
        var failedAt = Now.AddMinutes(1);
        var why = new DeadLetterReason("HTTP 422: invalid subject", 422, """{"resourceType":"Bundle"}""", """{"resourceType":"OperationOutcome"}""");

        await store.Outbox.DeadLetterAsync(entries[0].Id, why, failedAt, None);

        var dead = Assert.Single(await store.DeadLetters.ListDeadLettersAsync(10, None));
        Assert.Equal(entries[0].ReadingId, dead.ReadingId);
        Assert.Equal("thermo-1", dead.DeviceId);
        Assert.Equal(Patient, dead.Patient);
        Assert.Equal(entries[0].Reading, dead.Reading);
        Assert.Equal(failedAt, dead.FailedAt);
        Assert.Equal(2, dead.Attempts);
        Assert.Equal(why, dead.Why);
        Assert.Equal(entries[0].Origin, dead.Origin);
        Assert.Equal(entries[0].Payload, dead.Payload);
        Assert.Equal([entries[1].Id], (await store.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None)).Select(e => e.Id));
        var status = await store.Status.GetOutboxStatusAsync(None);
        Assert.Equal((1L, 1L, 0L), (status.Pending, status.DeadLetters, status.Retrying));
    }

    [Fact]
    public async Task Dead_letter_without_an_http_exchange_keeps_nulls()
    {
        var (store, entries) = await QueuedAsync(0);

        await store.Outbox.DeadLetterAsync(entries[0].Id, new DeadLetterReason("mapping failed", null, null, null), Now, None);

        var dead = Assert.Single(await store.DeadLetters.ListDeadLettersAsync(10, None));
        Assert.Equal(new DeadLetterReason("mapping failed", null, null, null), dead.Why);
        Assert.Equal(1, dead.Attempts);
    }

    [Fact]
    public async Task Replay_puts_dead_letters_back_due_now_with_a_fresh_attempt_count()
    {
        var (store, entries) = await QueuedAsync(0, 1, 2);
        foreach (var entry in entries)
        {
            await store.Outbox.ScheduleRetryAsync(entry.Id, Now, "HTTP 500", None);
            await store.Outbox.DeadLetterAsync(entry.Id, new DeadLetterReason("HTTP 400", 400, "{}", null), Now, None);
        }
        var dead = await store.DeadLetters.ListDeadLettersAsync(10, None);
        Assert.Equal(3, dead.Count);
        Assert.True(dead[0].Id > dead[2].Id, "dead letters are listed newest first");
        _temp.Clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(1, await store.DeadLetters.ReplayDeadLettersAsync(dead[1].Id, None));

        var replayed = Assert.Single(await store.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None));
        Assert.Equal((dead[1].ReadingId, 0, Now, Patient), (replayed.ReadingId, replayed.Attempts, replayed.EnqueuedAt, replayed.Patient));
        Assert.Equal(2, (await store.DeadLetters.ListDeadLettersAsync(10, None)).Count);
        Assert.Equal(0, await store.DeadLetters.ReplayDeadLettersAsync(dead[1].Id, None));

        Assert.Equal(2, await store.DeadLetters.ReplayDeadLettersAsync(null, None));

        Assert.Equal(
            entries.Select(e => e.ReadingId),
            (await store.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None)).Select(e => e.ReadingId));
        Assert.Empty(await store.DeadLetters.ListDeadLettersAsync(10, None));
        await store.Outbox.MarkDeliveredAsync(replayed.Id, Now, "Observation/1", None);
        Assert.Equal(1, (await store.Status.GetOutboxStatusAsync(None)).Delivered);
    }

    [Fact]
    public async Task Purge_deletes_dead_letters_while_resends_stay_duplicates()
    {
        var (store, entries) = await QueuedAsync(0, 1);
        foreach (var entry in entries)
        {
            await store.Outbox.DeadLetterAsync(entry.Id, new DeadLetterReason("HTTP 400", 400, null, null), Now, None);
        }
        var dead = await store.DeadLetters.ListDeadLettersAsync(10, None);

        Assert.Equal(1, await store.DeadLetters.PurgeDeadLettersAsync(dead[0].Id, None));
        Assert.Equal(0, await store.DeadLetters.PurgeDeadLettersAsync(dead[0].Id, None));
        Assert.Equal([dead[1].Id], (await store.DeadLetters.ListDeadLettersAsync(10, None)).Select(d => d.Id));
        Assert.Equal(1, await store.DeadLetters.PurgeDeadLettersAsync(null, None));

        Assert.Empty(await store.DeadLetters.ListDeadLettersAsync(10, None));
        Assert.Equal(0, await store.DeadLetters.ReplayDeadLettersAsync(null, None));
        Assert.Equal(
            [IngestOutcome.Duplicate, IngestOutcome.Duplicate],
            await store.Ingest.CommitAsync(entries.Select(e => Some.AcceptedRecord(e.Reading)).ToList(), None));
        Assert.Equal(2, _temp.Sql("SELECT count(*) FROM readings WHERE state = 'dead'"));
    }

    [Fact]
    public async Task Status_reports_every_counter()
    {
        var (store, entries) = await QueuedAsync(0, 1, 2, 3);
        await store.Ingest.CommitAsync([Some.RejectedRecord(), Some.AcceptedRecord(Some.StoredThermometer("unbound"))], None);
        var enqueuedAt = Now;
        _temp.Clock.Advance(TimeSpan.FromSeconds(10));
        await store.Outbox.MarkDeliveredAsync(entries[0].Id, Now, null, None);
        await store.Outbox.ScheduleRetryAsync(entries[1].Id, Now.AddMinutes(5), "HTTP 503", None);
        await store.Outbox.DeadLetterAsync(entries[2].Id, new DeadLetterReason("HTTP 400", 400, null, null), Now, None);

        var status = await store.Status.GetOutboxStatusAsync(None);

        Assert.Equal(new OutboxStatus(Pending: 2, Due: 1, Retrying: 1, Delivered: 1, DeadLetters: 1, Quarantined: 1, Rejected: 1, OldestPending: enqueuedAt), status);
    }

    [Fact]
    public async Task Nothing_due_in_an_empty_outbox()
    {
        var store = await _temp.OpenAsync();

        Assert.Empty(await store.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None));
        Assert.Null(await store.Outbox.GetNextDueAsync(None));
        Assert.Equal(new OutboxStatus(0, 0, 0, 0, 0, 0, 0, null), await store.Status.GetOutboxStatusAsync(None));
    }
}
