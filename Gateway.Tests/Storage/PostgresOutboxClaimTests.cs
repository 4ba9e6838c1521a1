using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Storage;

/// <summary>
/// Claiming across instances on PostgreSQL: two store objects on one database are two gateway instances (each its own
/// instance id, one shared clock).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresOutboxClaimTests(PostgresServer server) : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly PatientId Patient = PatientId.Parse("Patient/123");
    private static readonly IReadOnlySet<long> NoneInFlight = new HashSet<long>();
    private readonly TempStore _temp = new(server);

    public void Dispose() => _temp.Dispose();

    private DateTimeOffset Now => _temp.Clock.GetUtcNow();

    /// <summary>Two instances, and <paramref name="perDevice"/> queued readings for each of <paramref name="devices"/> devices.</summary>
    private async Task<(StoreSet A, StoreSet B)> TwoInstancesAsync(int devices, int perDevice)
    {
        var a = await _temp.OpenAsync();
        var b = await _temp.OpenAsync();
        Assert.NotEqual(a.Postgres.InstanceId, b.Postgres.InstanceId);
        for (var d = 0; d < devices; d++)
        {
            await a.Bindings.BindAsync($"dev-{d}", null, Patient, Some.BoundLongAgo, None);
        }
        // Readings of all devices interleaved in effective time, committed through both instances.
        var records = Enumerable.Range(0, perDevice)
            .SelectMany(m => Enumerable.Range(0, devices).Select(d => Some.AcceptedRecord(Some.StoredThermometer($"dev-{d}", 37.0m, Some.MeasuredAt.AddMinutes(m)))))
            .ToList();
        await a.Ingest.CommitAsync(records.Where((_, i) => i % 2 == 0).ToList(), None);
        await b.Ingest.CommitAsync(records.Where((_, i) => i % 2 == 1).ToList(), None);
        return (a, b);
    }

    [Fact]
    public async Task What_one_instance_claimed_another_does_not_get_until_it_is_settled()
    {
        var (a, b) = await TwoInstancesAsync(devices: 2, perDevice: 2);

        var claimedByA = await a.Outbox.GetDueAsync(Now, 1, NoneInFlight, headsOnly: false, None);
        var dev = Assert.Single(claimedByA).Reading.DeviceId;

        // B gets only the other device: not A's entry, and not the entry behind it (per-device order).
        var claimedByB = await b.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None);
        Assert.Equal(2, claimedByB.Count);
        Assert.All(claimedByB, e => Assert.NotEqual(dev, e.Reading.DeviceId));
        // A, asking again, is not kept off its own claim: its in-flight set does that within the process.
        Assert.Equal(claimedByA[0].Id, (await a.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: true, None))[0].Id);

        await a.Outbox.MarkDeliveredAsync(claimedByA[0].Id, Now, null, None);

        // Delivered: the lease went with the entry, so B takes the device's next entry.
        var next = Assert.Single(await b.Outbox.GetDueAsync(Now, 10, new HashSet<long>(claimedByB.Select(e => e.Id)), headsOnly: false, None));
        Assert.Equal(dev, next.Reading.DeviceId);
    }

    [Fact]
    public async Task A_retry_releases_the_claim_and_an_expired_lease_returns_the_entry()
    {
        var (a, b) = await TwoInstancesAsync(devices: 1, perDevice: 1);
        var first = await a.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: true, None);
        Assert.Empty(await b.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None));

        // A crashed: nobody settles its claim. Just before the lease ends B still waits, then takes the entry over.
        _temp.Clock.Advance(StorageOptions.DefaultLeaseDuration - TimeSpan.FromSeconds(1));
        Assert.Empty(await b.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None));
        Assert.Equal(Now.AddSeconds(1), await b.Outbox.GetNextDueAsync(None));
        _temp.Clock.Advance(TimeSpan.FromSeconds(1));
        var taken = await b.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: true, None);
        Assert.Equal(first.Select(e => e.Id), taken.Select(e => e.Id));
        Assert.Empty(await a.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None));

        // B's attempt fails: the retry releases the claim, and the entry is A's to take once it is due.
        await b.Outbox.ScheduleRetryAsync(taken[0].Id, Now.AddSeconds(30), "HTTP 503", None);
        Assert.Equal(Now.AddSeconds(30), await a.Outbox.GetNextDueAsync(None));
        var retried = Assert.Single(await a.Outbox.GetDueAsync(Now.AddSeconds(30), 10, NoneInFlight, headsOnly: true, None));
        Assert.Equal((taken[0].Id, 1), (retried.Id, retried.Attempts));
    }

    [Fact]
    public async Task Closing_an_instance_returns_its_claims_at_once()
    {
        var (a, b) = await TwoInstancesAsync(devices: 1, perDevice: 1);
        Assert.Single(await a.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None));
        Assert.Empty(await b.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None));

        a.Dispose();

        Assert.Single(await b.Outbox.GetDueAsync(Now, 10, NoneInFlight, headsOnly: false, None));
    }

    [Fact]
    public async Task Instances_claiming_at_once_never_share_an_entry_or_a_device_and_keep_each_devices_order()
    {
        const int devices = 12, perDevice = 15;
        var (a, b) = await TwoInstancesAsync(devices, perDevice);
        var gate = new Lock();
        var holder = new Dictionary<string, string>(StringComparer.Ordinal);
        var delivered = new Dictionary<string, List<DateTimeOffset>>(StringComparer.Ordinal);
        var violations = new List<string>();

        async Task RunInstanceAsync(StoreSet store, string name, bool headsOnly)
        {
            var idle = 0;
            while (idle < 20)
            {
                var claimed = await store.Outbox.GetDueAsync(Now, 4, NoneInFlight, headsOnly, None);
                if (claimed.Count == 0)
                {
                    idle++;
                    await Task.Delay(5);
                    continue;
                }
                idle = 0;
                lock (gate)
                {
                    foreach (var device in claimed.Select(e => e.Reading.DeviceId).Distinct())
                    {
                        if (holder.TryGetValue(device, out var other) && other != name)
                            violations.Add($"{name} claimed {device} while {other} held it");
                        holder[device] = name;
                    }
                }
                foreach (var group in claimed.GroupBy(e => e.Reading.DeviceId))
                {
                    var entries = group.ToList();
                    for (var i = 0; i < entries.Count; i++)
                    {
                        lock (gate)
                        {
                            delivered.TryAdd(group.Key, []);
                            delivered[group.Key].Add(entries[i].Reading.EffectiveTime);
                            // The device's last claimed entry: its lease still holds the device until this delivery commits.
                            if (i == entries.Count - 1)
                                holder.Remove(group.Key);
                        }
                        // Throws when the entry is already gone: another instance had delivered it too.
                        await store.Outbox.MarkDeliveredAsync(entries[i].Id, Now, null, None);
                    }
                }
            }
        }

        var c = await _temp.OpenAsync();

        await Task.WhenAll(
            Task.Run(() => RunInstanceAsync(a, "A", headsOnly: false)),
            Task.Run(() => RunInstanceAsync(b, "B", headsOnly: true)),
            Task.Run(() => RunInstanceAsync(c, "C", headsOnly: false)));

        Assert.Empty(violations);
        Assert.Equal(devices * perDevice, delivered.Values.Sum(l => l.Count));
        Assert.All(delivered.Values, times => Assert.Equal(times.Order(), times));
        Assert.Equal((0L, (long)devices * perDevice), ((await a.Status.GetOutboxStatusAsync(None)).Pending, (await b.Status.GetOutboxStatusAsync(None)).Delivered));
    }
}
