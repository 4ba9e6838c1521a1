using Vitals.Devices;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Tests.Storage;

/// <summary>
/// The registry's rule, on both stores: a reading goes only to the binding of its own slot (device, user index) whose
/// validity [from, to) contains its effective time; otherwise it is quarantined, never filed under another patient.
/// </summary>
public abstract class StoreRegistryTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly PatientId Alice = PatientId.Parse("Patient/alice");
    private static readonly PatientId Bob = PatientId.Parse("http://hospital.example/mrn|4711");
    private static readonly PatientId Carol = PatientId.Parse("Patient/carol");
    private static readonly DateTimeOffset T0 = Some.MeasuredAt;
    private readonly TempStore _temp;

    private protected StoreRegistryTests(TempStore temp)
    {
        _temp = temp;
    }

    public void Dispose() => _temp.Dispose();

    private DateTimeOffset Now => _temp.Clock.GetUtcNow();

    /// <summary>
    /// A cuff reading taken at <paramref name="at"/> by <paramref name="user"/> (null: no user index), with a measurement
    /// id of its own (a cuff numbers each user's records).
    /// </summary>
    private static IngestRecord Cuff(DateTimeOffset at, int? user = null, string device = "cuff-1") =>
        Some.AcceptedRecord(Some.StoredCuff(device, at, $"{at.ToUnixTimeSeconds()}-{user}") with { UserId = user });

    /// <summary>Who each queued reading was filed under, by its effective time and user index.</summary>
    private async Task<Dictionary<(DateTimeOffset, int?), PatientId>> FiledAsync(StoreSet store) =>
        (await store.Outbox.GetDueAsync(Now, 100, new HashSet<long>(), headsOnly: false, None))
        .ToDictionary(e => (e.Reading.EffectiveTime, e.Reading.UserId), e => e.Patient);

    [Fact]
    public async Task Readings_before_and_after_a_reassignment_land_on_their_own_patients_and_filed_ones_never_move()
    {
        var store = await _temp.OpenAsync();
        await store.Bindings.BindAsync("cuff-1", null, Alice, T0, None);
        Assert.Equal([IngestOutcome.Queued], await store.Ingest.CommitAsync([Cuff(T0.AddMinutes(10))], None));

        Assert.Equal(0, await store.Bindings.BindAsync("cuff-1", null, Bob, T0.AddHours(1), None));
        var outcomes = await store.Ingest.CommitAsync([Cuff(T0.AddHours(1)), Cuff(T0.AddHours(2))], None);

        Assert.Equal([IngestOutcome.Queued, IngestOutcome.Queued], outcomes);
        var filed = await FiledAsync(store);
        Assert.Equal(Alice, filed[(T0.AddMinutes(10), null)]);
        Assert.Equal(Bob, filed[(T0.AddHours(1), null)]);
        Assert.Equal(Bob, filed[(T0.AddHours(2), null)]);
        Assert.Equal(
            [(Alice, T0, (DateTimeOffset?)T0.AddHours(1)), (Bob, T0.AddHours(1), null)],
            (await store.Bindings.ListBindingsAsync("cuff-1", None)).Select(b => (b.Patient, b.From, b.To)));
    }

    [Fact]
    public async Task A_stored_reading_dump_after_a_rebinding_goes_by_each_readings_own_time()
    {
        var store = await _temp.OpenAsync();
        await store.Bindings.BindAsync("cuff-1", null, Alice, T0, None);
        await store.Bindings.BindAsync("cuff-1", null, Bob, T0.AddDays(1), None);

        // The cuff was out of range and now sends what it stored: one reading from before every binding, two taken while
        // it was Alice's, one after the reassignment.
        var outcomes = await store.Ingest.CommitAsync(
            [Cuff(T0.AddMinutes(-5)), Cuff(T0.AddHours(3)), Cuff(T0.AddDays(1).AddTicks(-1)), Cuff(T0.AddDays(1).AddHours(2))], None);

        Assert.Equal([IngestOutcome.Quarantined, IngestOutcome.Queued, IngestOutcome.Queued, IngestOutcome.Queued], outcomes);
        var filed = await FiledAsync(store);
        Assert.Equal(Alice, filed[(T0.AddHours(3), null)]);
        Assert.Equal(Alice, filed[(T0.AddDays(1).AddTicks(-1), null)]);
        Assert.Equal(Bob, filed[(T0.AddDays(1).AddHours(2), null)]);
        Assert.Equal(T0.AddMinutes(-5), Assert.Single(await store.Quarantine.ListQuarantineAsync(null, 10, None)).Reading.EffectiveTime);
    }

    [Fact]
    public async Task On_a_two_user_cuff_each_user_goes_to_their_own_patient_and_other_slots_are_quarantined()
    {
        var store = await _temp.OpenAsync();
        await store.Bindings.BindAsync("cuff-1", 1, Alice, T0, None);
        await store.Bindings.BindAsync("cuff-1", 2, Bob, T0, None);

        var outcomes = await store.Ingest.CommitAsync(
            [Cuff(T0.AddMinutes(1), user: 1), Cuff(T0.AddMinutes(2), user: 2), Cuff(T0.AddMinutes(3), user: 3), Cuff(T0.AddMinutes(4))], None);

        Assert.Equal([IngestOutcome.Queued, IngestOutcome.Queued, IngestOutcome.Quarantined, IngestOutcome.Quarantined], outcomes);
        var filed = await FiledAsync(store);
        Assert.Equal(2, filed.Count);
        Assert.Equal(Alice, filed[(T0.AddMinutes(1), 1)]);
        Assert.Equal(Bob, filed[(T0.AddMinutes(2), 2)]);
        Assert.Equal(
            [(3, T0.AddMinutes(3)), ((int?)null, T0.AddMinutes(4))],
            (await store.Quarantine.ListQuarantineAsync("cuff-1", 10, None)).Select(q => (q.Reading.UserId, q.Reading.EffectiveTime)).OrderBy(q => q.Item2));
        var lastSeen = T0.AddMinutes(4).AddSeconds(2);
        Assert.Equal(
        [
            new DeviceSummary("cuff-1", null, null, null, lastSeen, 4, 1),
            new DeviceSummary("cuff-1", 1, Alice, T0, lastSeen, 4, 0),
            new DeviceSummary("cuff-1", 2, Bob, T0, lastSeen, 4, 0),
            new DeviceSummary("cuff-1", 3, null, null, lastSeen, 4, 1),
        ], await store.Bindings.ListDevicesAsync("cuff-1", None));
    }

    [Fact]
    public async Task Unbinding_exactly_the_slot_without_user_index_leaves_the_devices_user_slots_bound()
    {
        var store = await _temp.OpenAsync();
        await store.Bindings.BindAsync("cuff-1", null, Alice, T0.AddHours(-1), None);
        await store.Bindings.BindAsync("cuff-1", 2, Bob, T0.AddHours(-1), None);

        Assert.True(await store.Bindings.UnbindSlotAsync("cuff-1", null, T0, None));
        Assert.False(await store.Bindings.UnbindSlotAsync("cuff-1", null, T0.AddMinutes(1), None));

        var current = (await store.Bindings.ListBindingsAsync("cuff-1", None)).Where(b => b.To is null).ToList();
        Assert.Equal((2, Bob), Assert.Single(current) is var b ? (b.User, b.Patient) : default);
        // UnbindAsync with no user index still means every slot (devices unbind without --user).
        Assert.True(await store.Bindings.UnbindAsync("cuff-1", null, T0.AddMinutes(2), None));
        Assert.DoesNotContain(await store.Bindings.ListBindingsAsync("cuff-1", None), b => b.To is null);
    }

    [Fact]
    public async Task A_reading_without_user_index_never_goes_to_a_user_slot_nor_the_other_way_round()
    {
        var store = await _temp.OpenAsync();
        await store.Bindings.BindAsync("scale-1", 1, Alice, T0, None);
        await store.Bindings.BindAsync("cuff-1", null, Bob, T0, None);

        var outcomes = await store.Ingest.CommitAsync([Cuff(T0.AddMinutes(1), device: "scale-1"), Cuff(T0.AddMinutes(1), user: 1)], None);

        Assert.Equal([IngestOutcome.Quarantined, IngestOutcome.Quarantined], outcomes);
    }

    [Fact]
    public async Task Binding_releases_only_the_slots_quarantined_readings_inside_the_new_validity()
    {
        var store = await _temp.OpenAsync();
        await store.Ingest.CommitAsync(
            [Cuff(T0.AddHours(-1), user: 2), Cuff(T0.AddHours(1), user: 2), Cuff(T0.AddHours(1), user: 1), Cuff(T0.AddHours(2))], None);

        var moved = await store.Bindings.BindAsync("cuff-1", 2, Bob, T0, None);

        Assert.Equal(1, moved);
        Assert.Equal(Bob, Assert.Single(await FiledAsync(store)).Value);
        Assert.Equal(3, (await store.Quarantine.ListQuarantineAsync(null, 10, None)).Count);
        // The other readings have no binding covering them: a general release leaves them too.
        Assert.Equal(0, await store.Quarantine.ReleaseQuarantineAsync(null, None));
        Assert.Equal(1, await store.Bindings.BindAsync("cuff-1", 1, Alice, T0, None));
        // Binding the slot again to the same patient from earlier widens its validity and releases what that covers.
        Assert.Equal(1, await store.Bindings.BindAsync("cuff-1", 2, Bob, T0.AddHours(-2), None));
        var filed = await FiledAsync(store);
        Assert.Equal(Bob, filed[(T0.AddHours(-1), 2)]);
        Assert.Equal(Alice, filed[(T0.AddHours(1), 1)]);
        Assert.Equal((int?)null, Assert.Single(await store.Quarantine.ListQuarantineAsync(null, 10, None)).Reading.UserId);
    }

    [Fact]
    public async Task Release_files_each_quarantined_reading_under_the_binding_covering_its_time()
    {
        var store = await _temp.OpenAsync();
        await store.Ingest.CommitAsync([Cuff(T0.AddMinutes(1)), Cuff(T0.AddHours(2)), Cuff(T0.AddHours(-2))], None);
        // Bindings written by another tool straight into the store, which do not move the quarantine themselves.
        _temp.Sql($"INSERT INTO bindings (device_id, patient, bound_at, unbound_at) VALUES ('cuff-1', 'Patient/alice', '{Text(T0)}', '{Text(T0.AddHours(1))}')");
        _temp.Sql($"INSERT INTO bindings (device_id, patient, bound_at) VALUES ('cuff-1', 'Patient/carol', '{Text(T0.AddHours(1))}')");

        Assert.Equal(2, await store.Quarantine.ReleaseQuarantineAsync("cuff-1", None));

        var filed = await FiledAsync(store);
        Assert.Equal(Alice, filed[(T0.AddMinutes(1), null)]);
        Assert.Equal(Carol, filed[(T0.AddHours(2), null)]);
        Assert.Equal(T0.AddHours(-2), Assert.Single(await store.Quarantine.ListQuarantineAsync(null, 10, None)).Reading.EffectiveTime);
    }

    [Fact]
    public async Task A_bind_that_would_overlap_an_earlier_binding_of_the_slot_is_refused_and_changes_nothing()
    {
        var store = await _temp.OpenAsync();
        await store.Bindings.BindAsync("cuff-1", 1, Alice, T0, None);
        await store.Bindings.BindAsync("cuff-1", 1, Bob, T0.AddDays(1), None);
        var before = await store.Bindings.ListBindingsAsync(null, None);

        var startsBeforeCurrent = await Assert.ThrowsAsync<BindingConflictException>(() => store.Bindings.BindAsync("cuff-1", 1, Carol, T0.AddDays(1), None));
        var insideEnded = await Assert.ThrowsAsync<BindingConflictException>(() => store.Bindings.BindAsync("cuff-1", 1, Carol, T0.AddHours(5), None));

        Assert.Equal(Bob, startsBeforeCurrent.Existing!.Patient);
        Assert.Equal(Alice, insideEnded.Existing!.Patient);
        Assert.Equal(before, await store.Bindings.ListBindingsAsync(null, None));
        // Another slot of the same device is independent.
        await store.Bindings.BindAsync("cuff-1", 2, Carol, T0.AddHours(5), None);
    }

    [Fact]
    public async Task Unbind_ends_one_user_slot_or_every_slot_of_the_device()
    {
        var store = await _temp.OpenAsync();
        await store.Bindings.BindAsync("cuff-1", null, Carol, T0, None);
        await store.Bindings.BindAsync("cuff-1", 1, Alice, T0, None);
        await store.Bindings.BindAsync("cuff-1", 2, Bob, T0, None);

        Assert.True(await store.Bindings.UnbindAsync("cuff-1", 1, T0.AddHours(1), None));
        Assert.False(await store.Bindings.UnbindAsync("cuff-1", 1, T0.AddHours(1), None));
        var outcomes = await store.Ingest.CommitAsync([Cuff(T0.AddHours(2), user: 1), Cuff(T0.AddHours(2), user: 2), Cuff(T0.AddMinutes(30), user: 1)], None);
        Assert.Equal([IngestOutcome.Quarantined, IngestOutcome.Queued, IngestOutcome.Queued], outcomes);

        Assert.True(await store.Bindings.UnbindAsync("cuff-1", null, T0.AddHours(3), None));

        Assert.All(await store.Bindings.ListBindingsAsync("cuff-1", None), b => Assert.NotNull(b.To));
        Assert.Empty(await store.Bindings.ListBoundDeviceIdsAsync(None));
    }

    /// <summary>An instant as both stores take it in SQL text (ISO 8601, UTC).</summary>
    private static string Text(DateTimeOffset instant) => instant.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
}
