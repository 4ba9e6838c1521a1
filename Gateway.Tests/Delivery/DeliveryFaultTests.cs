using Microsoft.Extensions.Logging;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Tests.Storage;

namespace Vitals.Gateway.Tests.Delivery;

/// <summary>
/// Faults isolated in the delivery loop: a poisoned reading, a configuration fault and a corrupt stored row each leave
/// the rest of the stream flowing (or, for the configuration fault, paused and waiting), and the EHR holds each
/// delivered reading once.
/// </summary>
public sealed class DeliveryFaultTests
{
    private static readonly string Poison = LoopRig.PoisonValue.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_poisoned_reading_is_isolated_its_devices_later_readings_flow_and_it_is_dead_lettered_after_MaxAge()
    {
        await using var rig = new LoopRig();
        rig.Fault = r => r.Body.Contains(Poison, StringComparison.Ordinal)
            ? ScriptedResponse.Json(500, """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception"}]}""")
            : null;
        using var pump = new CancellationTokenSource();

        await rig.StartAsync(devices: 3, perDevice: 6, o => o.Retry.MaxAge = TimeSpan.FromHours(1), poison: (1, 1), fakeTime: true);
        // The loop runs on the store's fake clock: let it move on as real time passes.
        var ticking = Task.Run(async () =>
        {
            while (!pump.IsCancellationRequested)
            {
                rig.Clock.Advance(TimeSpan.FromMilliseconds(20));
                await Task.Delay(10);
            }
        });
        try
        {
            var status = await rig.WaitUntilAsync(s => s.Delivered == 17);
            Assert.Equal((1, 0), (status.Pending, status.DeadLetters));
            rig.AssertEhrHolds(17);
            // The poisoned device's readings after the poisoned one arrived: it does not hold them.
            var device1 = rig.Fhir.OfType("Observation").Count(o => ((string?)o.Resource["device"]!["identifier"]!["value"])!.EndsWith(LoopRig.DeviceId(1), StringComparison.Ordinal));
            Assert.Equal(5, device1);
            Assert.Contains(rig.Log.Entries, e => e.EventId.Id == 3110 && e.Level == LogLevel.Warning);
            Assert.Contains(rig.Log.Entries, e => e.EventId.Id == 3109);

            // Retried with backoff until Ehr:Retry:MaxAge, then a dead letter with the answers it got.
            await Eventually.TrueAsync(
                () => rig.Server.Requests.Count(r => r.Body.Contains(Poison, StringComparison.Ordinal) && LoopRig.ObservationsIn(r) == 1) >= 3,
                TimeSpan.FromSeconds(20), "the poisoned reading retried alone");
            rig.Clock.Advance(TimeSpan.FromHours(2));
            status = await rig.WaitUntilAsync(s => s.Pending == 0);
            Assert.Equal((17, 1), (status.Delivered, status.DeadLetters));
        }
        finally
        {
            await pump.CancelAsync();
            await ticking;
        }
        var dead = Assert.Single(await rig.Store.DeadLetters.ListDeadLettersAsync(10, default));
        Assert.Equal((LoopRig.DeviceId(1), 500), (dead.DeviceId, dead.Why.HttpStatus));
        Assert.Contains("Ehr:Retry:MaxAge", dead.Why.Reason, StringComparison.Ordinal);
        Assert.StartsWith("Answers, newest first:", dead.Why.Response, StringComparison.Ordinal);
        Assert.True(dead.Why.Response!.Split('\n').Count(l => l.Contains("HTTP 500", StringComparison.Ordinal)) >= 3, dead.Why.Response);
        rig.AssertEhrHolds(17);
    }

    [Fact]
    public async Task A_403_pauses_delivery_with_the_reason_dead_letters_nothing_and_it_resumes_when_the_EHR_is_fixed()
    {
        await using var rig = new LoopRig();
        var broken = true;
        rig.Fault = _ => Volatile.Read(ref broken)
            ? ScriptedResponse.Json(403, """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"forbidden"}]}""")
            : null;

        await rig.StartAsync(devices: 3, perDevice: 5, o => o.Retry.ProbeInterval = TimeSpan.FromMilliseconds(300));
        await Eventually.TrueAsync(() => rig.Health.Paused, TimeSpan.FromSeconds(10), "delivery paused");
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var (paused, reason, since) = rig.Health.Snapshot();
        Assert.True(paused);
        Assert.Contains("HTTP 403", reason, StringComparison.Ordinal);
        Assert.NotNull(since);
        var status = await rig.Store.Status.GetOutboxStatusAsync(default);
        Assert.Equal((15, 0, 0), (status.Pending, status.Delivered, status.DeadLetters));
        // Probing, not hammering: the first round, then one request per probe interval.
        Assert.InRange(rig.Server.Requests.Count, 2, 4 + 8);
        Assert.All(rig.Server.Requests.Skip(4), r => Assert.Equal(1, LoopRig.ObservationsIn(r)));

        Volatile.Write(ref broken, false);
        status = await rig.WaitUntilAsync(s => s.Pending == 0);
        Assert.Equal((15, 0), (status.Delivered, status.DeadLetters));
        rig.AssertEhrHolds(15);
        Assert.False(rig.Health.Paused);
        Assert.Single(rig.Log.Entries, e => e.EventId.Id == 3111 && e.Level == LogLevel.Error);
        Assert.Single(rig.Log.Entries, e => e.EventId.Id == 3112);
        Assert.DoesNotContain(rig.Log.Entries, e => e.EventId.Id is 3101 or 3102);
    }

    [Fact]
    public async Task A_stored_row_that_cannot_be_read_becomes_a_dead_letter_with_its_reason_and_the_rest_is_delivered()
    {
        await using var rig = new LoopRig();

        await rig.StartAsync(devices: 2, perDevice: 3, beforeStart: store =>
        {
            using var raw = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={store.DatabasePath};Pooling=False");
            raw.Open();
            TempStore.ExecuteRaw(raw, """
                UPDATE readings SET reading_json = '{"deviceId": "thermo-0", "kind": ' WHERE id = (
                    SELECT reading_id FROM outbox o JOIN readings r ON r.id = o.reading_id
                    WHERE r.device_id = 'thermo-0' ORDER BY o.effective_time LIMIT 1 OFFSET 1)
                """);
        });
        var status = await rig.WaitUntilAsync(s => s.Pending == 0);

        Assert.Equal((5, 1), (status.Delivered, status.DeadLetters));
        rig.AssertEhrHolds(5);
        var dead = Assert.Single(await rig.Store.DeadLetters.ListDeadLettersAsync(10, default));
        Assert.Null(dead.Reading);
        Assert.Equal("thermo-0", dead.DeviceId);
        Assert.StartsWith("the stored reading cannot be read: JsonException", dead.Why.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(rig.Log.Entries, e => e.EventId.Id == 3104);
    }
}
