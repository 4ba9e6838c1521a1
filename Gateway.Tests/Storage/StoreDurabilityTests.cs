using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;


namespace Vitals.Gateway.Tests.Storage;

/// <summary>What survives a reopen, two store objects on one database (the CLI and the worker), and misuse.</summary>
public abstract class StoreDurabilityTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly PatientId Patient = PatientId.Parse("Patient/123");
    private static readonly IReadOnlySet<long> NoneInFlight = new HashSet<long>();
    private readonly TempStore _temp;

    private protected StoreDurabilityTests(TempStore temp)
    {
        _temp = temp;
    }

    public void Dispose() => _temp.Dispose();

    private DateTimeOffset Now => _temp.Clock.GetUtcNow();

    [Fact]
    public async Task Everything_committed_survives_closing_and_reopening_the_store()
    {
        var first = await _temp.OpenAsync();
        await first.Bindings.BindAsync("cuff-1", null, Patient, Some.BoundLongAgo, None);
        await first.Ingest.CommitAsync(
        [
            Some.AcceptedRecord(Some.StoredCuff("cuff-1", measurementId: "1")),
            // A second measurement: identity scheme 2 tells readings apart by time and values, not by record number.
            Some.AcceptedRecord(Some.StoredCuff("cuff-1", Some.MeasuredAt.AddMinutes(1), measurementId: "2")),
            Some.AcceptedRecord(Some.StoredThermometer("thermo-1")),
            Some.RejectedRecord(),
        ], None);
        var entries = await first.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None);
        await first.Outbox.DeadLetterAsync(entries[1].Id, new DeadLetterReason("HTTP 400", 400, "{}", "{}"), Now, None);
        var before = (
            Status: await first.Status.GetOutboxStatusAsync(None),
            Devices: await first.Bindings.ListDevicesAsync(null, None),
            Due: await first.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None),
            Quarantine: await first.Quarantine.ListQuarantineAsync(null, 10, None),
            Rejected: await first.Rejected.ListRejectedAsync(10, None),
            Dead: await first.DeadLetters.ListDeadLettersAsync(10, None));
        first.Dispose();

        var second = await _temp.OpenAsync();

        Assert.Equal(before.Status, await second.Status.GetOutboxStatusAsync(None));
        Assert.Equal(before.Devices, await second.Bindings.ListDevicesAsync(null, None));
        AssertSameEntries(before.Due, await second.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None));
        Assert.Equal(before.Quarantine, await second.Quarantine.ListQuarantineAsync(null, 10, None));
        var rejected = Assert.Single(await second.Rejected.ListRejectedAsync(10, None));
        Assert.Equal(
            (before.Rejected[0].Id, before.Rejected[0].Reason, Convert.ToHexString(before.Rejected[0].Payload)),
            (rejected.Id, rejected.Reason, Convert.ToHexString(rejected.Payload)));
        var dead = Assert.Single(await second.DeadLetters.ListDeadLettersAsync(10, None));
        Assert.Equal((before.Dead[0].Id, before.Dead[0].Reading, before.Dead[0].Why), (dead.Id, dead.Reading, dead.Why));
        Assert.Equal([IngestOutcome.Duplicate], await second.Ingest.CommitAsync([Some.AcceptedRecord(Some.StoredCuff("cuff-1", measurementId: "1"))], None));
    }

    [Fact]
    public async Task Cli_and_worker_on_the_same_store_see_each_others_writes()
    {
        var worker = await _temp.OpenAsync();
        var cli = await _temp.OpenAsync();

        Assert.Equal([IngestOutcome.Quarantined], await worker.Ingest.CommitAsync(Some.ThermometerBatch("thermo-1", 1, 0), None));
        Assert.Equal(1, await cli.Bindings.BindAsync("thermo-1", null, Patient, Some.BoundLongAgo, None));
        var moved = Assert.Single(await worker.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None));
        Assert.Equal(Patient, moved.Patient);

        // The worker never caches bindings: the CLI's bind and unbind decide the next commit.
        Assert.Equal([IngestOutcome.Queued], await worker.Ingest.CommitAsync(Some.ThermometerBatch("thermo-1", 1, 1), None));
        Assert.True(await cli.Bindings.UnbindAsync("thermo-1", null, Some.MeasuredAt.AddMinutes(2), None));
        Assert.Equal([IngestOutcome.Quarantined], await worker.Ingest.CommitAsync(Some.ThermometerBatch("thermo-1", 1, 2), None));

        await worker.Outbox.DeadLetterAsync(moved.Id, new DeadLetterReason("HTTP 400", 400, null, null), Now, None);
        Assert.Equal(1, await cli.DeadLetters.ReplayDeadLettersAsync(null, None));
        Assert.Equal(2, (await worker.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None)).Count);
        var device = Assert.Single(await cli.Bindings.ListDevicesAsync(null, None));
        Assert.Equal((3L, 1L), (device.Readings, device.Quarantined));
        Assert.Equal(await worker.Status.GetOutboxStatusAsync(None), await cli.Status.GetOutboxStatusAsync(None));
    }

    [Fact]
    public async Task Using_the_store_before_initialising_it_is_a_bug()
    {
        var store = _temp.Create();

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.Ingest.CommitAsync(Some.ThermometerBatch("x", 1), None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.Status.GetOutboxStatusAsync(None));
    }

    [Fact]
    public async Task A_disposed_store_refuses_work()
    {
        var store = await _temp.OpenAsync();
        store.Dispose();
        store.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.Ingest.CommitAsync(Some.ThermometerBatch("x", 1), None));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.Bindings.ListDevicesAsync(null, None));
    }

    private static void AssertSameEntries(IReadOnlyList<OutboxEntry> expected, IReadOnlyList<OutboxEntry> actual) =>
        Assert.Equal(
            expected.Select(e => (e.Id, e.ReadingId, e.Reading, e.Patient, e.Attempts, e.EnqueuedAt, e.Origin, Convert.ToHexString(e.Payload))),
            actual.Select(e => (e.Id, e.ReadingId, e.Reading, e.Patient, e.Attempts, e.EnqueuedAt, e.Origin, Convert.ToHexString(e.Payload))));
}
