using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Tests.Storage;

/// <summary>"Your readings": a patient's own readings of one slot, with their delivery state, and nobody else's.</summary>
public abstract class StorePatientReadingsTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly PatientId Ada = PatientId.Parse("Patient/ada");
    private static readonly PatientId Partner = PatientId.Parse("Patient/partner");
    private static readonly DateTimeOffset Since = Some.MeasuredAt.AddDays(-14);
    private readonly TempStore _temp;

    private protected StorePatientReadingsTests(TempStore temp)
    {
        _temp = temp;
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_patient_sees_only_their_own_slots_readings_since_the_time_newest_first_with_delivery_state()
    {
        var store = await _temp.OpenAsync();
        await store.Bindings.BindAsync("cuff-1", 1, Ada, Some.BoundLongAgo, None);
        await store.Bindings.BindAsync("cuff-1", 2, Partner, Some.BoundLongAgo, None);
        await store.Bindings.BindAsync("thermo-1", null, Ada, Some.BoundLongAgo, None);
        var first = Some.StoredCuff("cuff-1", Some.MeasuredAt, "1") with { UserId = 1 };
        var second = Some.StoredCuff("cuff-1", Some.MeasuredAt.AddMinutes(10), "2") with { UserId = 1 };
        var third = Some.StoredCuff("cuff-1", Some.MeasuredAt.AddMinutes(20), "3") with { UserId = 1 };
        var old = Some.StoredCuff("cuff-1", Since.AddDays(-1), "0") with { UserId = 1 };
        var partners = Some.StoredCuff("cuff-1", Some.MeasuredAt.AddMinutes(5), "4") with { UserId = 2 };
        var unbound = Some.StoredCuff("cuff-1", Some.MeasuredAt.AddMinutes(6), "5") with { UserId = 3 };
        await store.Ingest.CommitAsync(
            [.. new[] { first, second, third, old, partners, unbound }.Select(r => Some.AcceptedRecord(r)),
             Some.AcceptedRecord(Some.StoredThermometer("thermo-1", 37.1m, Some.MeasuredAt.AddMinutes(1)))], None);
        var due = await store.Outbox.GetDueAsync(_temp.Clock.GetUtcNow(), 100, new HashSet<long>(), headsOnly: false, None);
        var deliveredAt = new DateTimeOffset(2026, 11, 25, 9, 42, 0, TimeSpan.Zero);
        await store.Outbox.MarkDeliveredAsync(due.Single(e => e.Reading.MeasurementId == "1").Id, deliveredAt, "Observation/1", None);
        await store.Outbox.DeadLetterAsync(due.Single(e => e.Reading.MeasurementId == "2").Id, new DeadLetterReason("refused", 422, null, null), deliveredAt, None);

        var mine = await store.PatientReadings.ListPatientReadingsAsync(Ada, "cuff-1", 1, Since, 50, None);

        Assert.Equal(["3", "2", "1"], mine.Select(r => r.Reading.MeasurementId));
        Assert.Equal([PatientReadingState.Waiting, PatientReadingState.Dead, PatientReadingState.Delivered], mine.Select(r => r.State));
        Assert.Equal(deliveredAt, mine[2].DeliveredAt);
        Assert.Null(mine[0].DeliveredAt);
        Assert.Equal(128.0m, mine[0].Reading.Systolic!.Value.Value);
        // Another slot of the same device, another patient's: never in this patient's list, nor theirs in another's.
        Assert.Empty(await store.PatientReadings.ListPatientReadingsAsync(Ada, "cuff-1", 2, Since, 50, None));
        Assert.Equal(["4"], (await store.PatientReadings.ListPatientReadingsAsync(Partner, "cuff-1", 2, Since, 50, None)).Select(r => r.Reading.MeasurementId));
        Assert.Empty(await store.PatientReadings.ListPatientReadingsAsync(Partner, "cuff-1", 1, Since, 50, None));
        // The slot without user index is its own slot, and a quarantined reading (user 3) is nobody's.
        Assert.Empty(await store.PatientReadings.ListPatientReadingsAsync(Ada, "cuff-1", null, Since, 50, None));
        Assert.Single(await store.PatientReadings.ListPatientReadingsAsync(Ada, "thermo-1", null, Since, 50, None));
        Assert.Empty(await store.PatientReadings.ListPatientReadingsAsync(Ada, "cuff-1", 3, Since, 50, None));
        // The limit keeps the newest.
        Assert.Equal(["3"], (await store.PatientReadings.ListPatientReadingsAsync(Ada, "cuff-1", 1, Since, 1, None)).Select(r => r.Reading.MeasurementId));
    }
}
