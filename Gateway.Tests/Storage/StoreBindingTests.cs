using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Tests.Storage;

public abstract class StoreBindingTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly PatientId Alice = PatientId.Parse("Patient/alice");
    private static readonly PatientId Bob = PatientId.Parse("http://hospital.example/mrn|4711");
    private readonly TempStore _temp;

    private protected StoreBindingTests(TempStore temp)
    {
        _temp = temp;
    }

    public void Dispose() => _temp.Dispose();

    private DateTimeOffset Now => _temp.Clock.GetUtcNow();

    private Task<IReadOnlyList<OutboxEntry>> DueAsync(StoreSet store) => store.Outbox.GetDueAsync(Now, 100, new HashSet<long>(), headsOnly: false, None);

    [Fact]
    public async Task Bind_moves_the_device_quarantine_to_the_outbox_under_the_new_patient()
    {
        var store = await _temp.OpenAsync();
        await store.Ingest.CommitAsync(Some.ThermometerBatch("thermo-1", 3), None);
        await store.Ingest.CommitAsync(Some.ThermometerBatch("thermo-2", 1), None);
        _temp.Clock.Advance(TimeSpan.FromMinutes(1));

        var moved = await store.Bindings.BindAsync("thermo-1", null, Alice, Some.MeasuredAt, None);

        Assert.Equal(3, moved);
        var due = await DueAsync(store);
        Assert.Equal(3, due.Count);
        Assert.All(due, e => Assert.Equal(Alice, e.Patient));
        Assert.All(due, e => Assert.Equal(Now, e.EnqueuedAt));
        var left = Assert.Single(await store.Quarantine.ListQuarantineAsync(null, 10, None));
        Assert.Equal("thermo-2", left.DeviceId);
        Assert.Empty(await store.Quarantine.ListQuarantineAsync("thermo-1", 10, None));
    }

    [Fact]
    public async Task Readings_after_binding_are_queued()
    {
        var store = await _temp.OpenAsync();
        await store.Bindings.BindAsync("thermo-1", null, Alice, Some.MeasuredAt, None);

        var outcomes = await store.Ingest.CommitAsync(Some.ThermometerBatch("thermo-1", 2), None);

        Assert.Equal([IngestOutcome.Queued, IngestOutcome.Queued], outcomes);
        Assert.Equal(0, await store.Bindings.BindAsync("thermo-1", null, Alice, Some.MeasuredAt, None));
    }

    [Fact]
    public async Task Unbind_sends_later_readings_to_quarantine_and_keeps_queued_ones()
    {
        var store = await _temp.OpenAsync();
        await store.Bindings.BindAsync("thermo-1", null, Alice, Some.MeasuredAt, None);
        await store.Ingest.CommitAsync(Some.ThermometerBatch("thermo-1", 1, firstMinute: 0), None);

        // The binding ends one minute after the first reading: the reading taken then is outside [from, to).
        Assert.True(await store.Bindings.UnbindAsync("thermo-1", null, Some.MeasuredAt.AddMinutes(1), None));
        var outcomes = await store.Ingest.CommitAsync(Some.ThermometerBatch("thermo-1", 1, firstMinute: 1), None);

        Assert.Equal([IngestOutcome.Quarantined], outcomes);
        var queued = Assert.Single(await DueAsync(store));
        Assert.Equal(Alice, queued.Patient);
        var device = Assert.Single(await store.Bindings.ListDevicesAsync(null, None));
        Assert.Null(device.Patient);
        Assert.Null(device.BoundFrom);
        Assert.Equal(1, device.Quarantined);
        Assert.False(await store.Bindings.UnbindAsync("thermo-1", null, Now.AddMinutes(2), None));
    }

    [Fact]
    public async Task Bound_device_ids_are_the_current_bindings_only()
    {
        var store = await _temp.OpenAsync();
        await store.Bindings.BindAsync("C0:FF:EE:00:00:02", null, Alice, Now, None);
        await store.Bindings.BindAsync("C0:FF:EE:00:00:01", null, Bob, Now, None);
        await store.Bindings.BindAsync("thermo-1", null, Alice, Now, None);
        await store.Bindings.BindAsync("thermo-1", null, Bob, Now.AddMinutes(1), None);
        await store.Bindings.UnbindAsync("C0:FF:EE:00:00:02", null, Now.AddMinutes(2), None);
        await store.Ingest.CommitAsync(Some.ThermometerBatch("never-bound", 1), None);

        Assert.Equal(["C0:FF:EE:00:00:01", "thermo-1"], await store.Bindings.ListBoundDeviceIdsAsync(None));
    }

    [Fact]
    public async Task Unbinding_a_device_never_bound_is_false()
    {
        var store = await _temp.OpenAsync();

        Assert.False(await store.Bindings.UnbindAsync("nobody", null, Now, None));
        Assert.Empty(await store.Bindings.ListBindingsAsync(null, None));
    }

    [Fact]
    public async Task Rebinding_ends_the_current_binding_and_history_is_kept()
    {
        var store = await _temp.OpenAsync();
        var t0 = Now;
        await store.Bindings.BindAsync("cuff-1", null, Alice, t0, None);
        await store.Bindings.BindAsync("cuff-1", null, Bob, t0.AddDays(1), None);
        await store.Bindings.UnbindAsync("cuff-1", null, t0.AddDays(2), None);
        await store.Bindings.BindAsync("cuff-1", null, Alice, t0.AddDays(3), None);
        await store.Bindings.BindAsync("other", null, Bob, t0, None);

        var history = await store.Bindings.ListBindingsAsync("cuff-1", None);

        Assert.Equal(
            [(Alice, t0, (DateTimeOffset?)t0.AddDays(1)), (Bob, t0.AddDays(1), t0.AddDays(2)), (Alice, t0.AddDays(3), null)],
            history.Select(b => (b.Patient, b.From, b.To)));
        Assert.All(history, b => Assert.Null(b.User));
        Assert.Equal(4, (await store.Bindings.ListBindingsAsync(null, None)).Count);
        await store.Ingest.CommitAsync([Some.AcceptedRecord(Some.StoredCuff("cuff-1", t0.AddDays(3).AddHours(1)))], None);
        Assert.Equal(Alice, Assert.Single(await DueAsync(store)).Patient);
    }

    [Fact]
    public async Task Binding_again_to_the_same_patient_keeps_the_current_binding()
    {
        var store = await _temp.OpenAsync();
        await store.Bindings.BindAsync("cuff-1", null, Alice, Now, None);

        await store.Bindings.BindAsync("cuff-1", null, Alice, Now.AddHours(1), None);

        var binding = Assert.Single(await store.Bindings.ListBindingsAsync("cuff-1", None));
        Assert.Equal(Now, binding.From);
        Assert.Null(binding.To);
    }

    [Fact]
    public async Task Release_moves_quarantined_readings_of_bound_devices_only()
    {
        var store = await _temp.OpenAsync();
        await store.Ingest.CommitAsync(Some.ThermometerBatch("thermo-1", 2), None);
        await store.Ingest.CommitAsync(Some.ThermometerBatch("thermo-2", 1), None);
        // A binding written by another tool straight into the file, which does not move the quarantine itself.
        _temp.Sql("INSERT INTO bindings (device_id, patient, bound_at) VALUES ('thermo-1', 'Patient/alice', '2026-11-25T07:00:00.0000000Z')");

        Assert.Equal(0, await store.Quarantine.ReleaseQuarantineAsync("thermo-2", None));
        Assert.Equal(2, await store.Quarantine.ReleaseQuarantineAsync(null, None));

        Assert.Equal(2, (await DueAsync(store)).Count);
        Assert.Equal("thermo-2", Assert.Single(await store.Quarantine.ListQuarantineAsync(null, 10, None)).DeviceId);
        Assert.Equal(0, await store.Quarantine.ReleaseQuarantineAsync(null, None));
    }

    [Fact]
    public async Task Device_list_shows_binding_last_seen_and_counts()
    {
        var store = await _temp.OpenAsync();
        var boundAt = Some.MeasuredAt;
        await store.Bindings.BindAsync("cuff-1", null, Bob, boundAt, None);
        await store.Bindings.BindAsync("scale-1", null, Alice, boundAt, None);
        var lastSeen = Some.MeasuredAt.AddMinutes(10);
        await store.Ingest.CommitAsync(
        [
            Some.AcceptedRecord(Some.StoredCuff("cuff-1", Some.MeasuredAt, "1"), Some.MeasuredAt.AddMinutes(1)),
            Some.AcceptedRecord(Some.StoredCuff("cuff-1", Some.MeasuredAt.AddMinutes(9), "2"), lastSeen),
            Some.AcceptedRecord(Some.StoredCuff("cuff-1", Some.MeasuredAt.AddMinutes(5), "3"), Some.MeasuredAt.AddMinutes(6)),
            Some.AcceptedRecord(Some.StoredThermometer("thermo-1"), lastSeen),
        ], None);

        var devices = await store.Bindings.ListDevicesAsync(null, None);

        Assert.Equal(
        [
            new DeviceSummary("cuff-1", null, Bob, boundAt, lastSeen, 3, 0),
            new DeviceSummary("scale-1", null, Alice, boundAt, null, 0, 0),
            new DeviceSummary("thermo-1", null, null, null, lastSeen, 1, 1),
        ], devices);
    }
}
