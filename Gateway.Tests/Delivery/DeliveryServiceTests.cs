using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.Storage;

namespace Vitals.Gateway.Tests.Delivery;

/// <summary>
/// The delivery loop over a real store and the real sender, against a scripted FHIR endpoint: what leaves the outbox,
/// what waits, what becomes a dead letter, and what the operator sees in the log.
/// </summary>
public sealed class DeliveryServiceTests
{
    private static readonly PatientId Patient = PatientId.Parse("Patient/p-1");

    private sealed class Rig : IAsyncDisposable
    {
        private readonly TempStore _temp = new();
        private EhrHttpClient? _http;
        private ConditionalCreateSender? _sender;
        private DeliveryService? _service;

        public StoreSet Store { get; private set; } = null!;
        public RecordingLogger<DeliveryService> Log { get; } = new();

        public async Task StartAsync(string ehrBaseUrl, int readings, int maxConcurrency = 4)
        {
            // The store's own clock is fake; the loop runs on real time with retries in milliseconds.
            Store = await _temp.OpenAsync();
            await Store.Bindings.BindAsync("thermo-1", null, Patient, Some.MeasuredAt, default);
            await Store.Ingest.CommitAsync(Some.ThermometerBatch("thermo-1", readings), default);
            var options = Options.Create(new EhrOptions
            {
                BaseUrl = ehrBaseUrl,
                MaxConcurrency = maxConcurrency,
                Retry = new EhrRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(100) },
            });
            _http = Some.EhrHttpClient(options, new RecordingLogger<EhrHttpClient>());
            _sender = new ConditionalCreateSender(_http, new RecordingLogger<ConditionalCreateSender>());
            var service = Some.DeliveryService(Store.Outbox, _sender, options, Log);
            _service = service;
            await service.StartAsync(CancellationToken.None);
        }

        public Task<OutboxStatus> WaitUntilAsync(Func<OutboxStatus, bool> done) =>
            Eventually.ValueAsync(() => Store.Status.GetOutboxStatusAsync(default), done, TimeSpan.FromSeconds(20));

        public async ValueTask DisposeAsync()
        {
            if (_service is not null) await _service.StopAsync(CancellationToken.None);
            _sender?.Dispose();
            _http?.Dispose();
            Store.Dispose();
            _temp.Dispose();
        }
    }

    [Fact]
    public async Task An_EHR_outage_is_logged_once_when_it_starts_and_once_when_it_ends_and_nothing_is_lost()
    {
        var failuresLeft = 6;
        var healthy = ScriptedFhirServer.ConditionalCreateServer();
        await using var server = await ScriptedFhirServer.StartAsync(r =>
            Interlocked.Decrement(ref failuresLeft) >= 0 ? ScriptedResponse.Json(503, "{}") : healthy(r));
        await using var rig = new Rig();

        await rig.StartAsync(server.BaseUrl, readings: 5);
        var status = await rig.WaitUntilAsync(s => s.Pending == 0);

        Assert.Equal(5, status.Delivered);
        Assert.Equal(0, status.DeadLetters);
        Assert.Single(rig.Log.Entries, e => e.EventId.Id == 3105 && e.Level == LogLevel.Warning);
        Assert.Single(rig.Log.Entries, e => e.EventId.Id == 3106 && e.Level == LogLevel.Information);
        Assert.True(rig.Log.Entries.Count(e => e.EventId.Id == 3101) >= 2, "each failed attempt is recorded at Debug");
        Assert.DoesNotContain(rig.Log.Entries, e => e.Level >= LogLevel.Warning && e.EventId.Id != 3105);
    }

    [Fact]
    public async Task A_refused_reading_becomes_a_dead_letter_logged_once_and_does_not_hold_up_the_others()
    {
        var healthy = ScriptedFhirServer.ConditionalCreateServer();
        var observations = 0;
        await using var server = await ScriptedFhirServer.StartAsync(r =>
            r.ResourceType == "Observation" && Interlocked.Increment(ref observations) == 1
                ? ScriptedResponse.Json(422, """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid"}]}""")
                : healthy(r));
        await using var rig = new Rig();

        await rig.StartAsync(server.BaseUrl, readings: 4);
        var status = await rig.WaitUntilAsync(s => s.Pending == 0);

        Assert.Equal(3, status.Delivered);
        Assert.Equal(1, status.DeadLetters);
        var dead = Assert.Single(await rig.Store.DeadLetters.ListDeadLettersAsync(10, default));
        Assert.Equal(422, dead.Why.HttpStatus);
        Assert.Contains("invalid", dead.Why.Response, StringComparison.Ordinal);
        Assert.Single(rig.Log.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Equal(3102, rig.Log.Entries.Single(e => e.Level >= LogLevel.Warning).EventId.Id);
    }

    [Fact]
    public async Task A_Retry_After_from_the_EHR_pauses_every_sender_until_it_has_passed()
    {
        var healthy = ScriptedFhirServer.ConditionalCreateServer();
        var observationTimes = new System.Collections.Concurrent.ConcurrentQueue<DateTime>();
        await using var server = await ScriptedFhirServer.StartAsync(r =>
        {
            if (r.ResourceType != "Observation") return healthy(r);
            observationTimes.Enqueue(DateTime.UtcNow);
            return observationTimes.Count == 1 ? ScriptedResponse.WithRetryAfter(429, "2") : healthy(r);
        });
        await using var rig = new Rig();

        // One sender at a time: without the shared pause, the next reading would go out right after the 429.
        await rig.StartAsync(server.BaseUrl, readings: 3, maxConcurrency: 1);
        var status = await rig.WaitUntilAsync(s => s.Pending == 0);

        Assert.Equal(3, status.Delivered);
        var times = observationTimes.ToArray();
        Assert.True(times.Length >= 4, $"expected the throttled request, its retry and two more, got {times.Length}");
        Assert.True(times[1] - times[0] >= TimeSpan.FromSeconds(1.9), $"the next request came {(times[1] - times[0]).TotalMilliseconds} ms after the 429");
        Assert.Single(rig.Log.Entries, e => e.EventId.Id == 3107);
    }
}
