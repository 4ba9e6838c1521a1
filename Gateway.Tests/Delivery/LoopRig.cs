using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Tests.Storage;

namespace Vitals.Gateway.Tests.Delivery;

/// <summary>
/// The delivery loop over a real SQLite store and the transaction sender, against <see cref="MiniFhir"/> behind a
/// scripted endpoint with a fault hook in front: for the flow-control and fault-isolation tests, which check what the
/// EHR ends up holding.
/// </summary>
internal sealed class LoopRig : IAsyncDisposable
{
    public const decimal PoisonValue = 41.5m;
    private static readonly PatientId Patient = PatientId.Parse("Patient/p-1");
    private readonly TempStore _temp = new();
    private EhrHttpClient? _http;
    private ScriptedFhirServer? _server;

    public MiniFhir Fhir { get; } = new();
    public StoreSet Store { get; private set; } = null!;
    public RecordingLogger<DeliveryService> Log { get; } = new();
    public DeliveryHealth Health { get; } = new();
    public DeliveryService Service { get; private set; } = null!;
    public ScriptedFhirServer Server => _server!;

    /// <summary>The store's (fake) clock; the loop runs on it when <c>fakeTime</c> is set.</summary>
    public Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock => _temp.Clock;

    /// <summary>Answers a request before MiniFhir does; null lets MiniFhir handle it.</summary>
    public Func<RecordedRequest, ScriptedResponse?> Fault { get; set; } = _ => null;

    /// <summary>
    /// <paramref name="devices"/> thermometers with <paramref name="perDevice"/> readings each, one minute apart;
    /// <paramref name="poison"/> (device index, reading index) gets <see cref="PoisonValue"/>.
    /// </summary>
    public async Task StartAsync(
        int devices, int perDevice, Action<EhrOptions>? configure = null, (int Device, int Reading)? poison = null,
        Action<StoreSet>? beforeStart = null, bool fakeTime = false)
    {
        _server = await ScriptedFhirServer.StartAsync(r => Fault(r) ?? Fhir.Respond(r));
        Store = await _temp.OpenAsync();
        var records = new List<IngestRecord>();
        for (var d = 0; d < devices; d++)
        {
            await Store.Bindings.BindAsync(DeviceId(d), null, Patient, Some.MeasuredAt, default);
            for (var i = 0; i < perDevice; i++)
            {
                var value = poison == (d, i) ? PoisonValue : 36.0m + (i % 30) / 10m;
                records.Add(Some.AcceptedRecord(Some.StoredThermometer(DeviceId(d), value, Some.MeasuredAt.AddMinutes(i))));
            }
        }
        await Store.Ingest.CommitAsync(records, default);
        beforeStart?.Invoke(Store);

        var ehr = new EhrOptions
        {
            BaseUrl = _server.BaseUrl,
            MaxConcurrency = 4,
            Batch = new EhrBatchOptions { MaxSize = 10, Linger = TimeSpan.Zero },
            Retry = new EhrRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(100) },
        };
        configure?.Invoke(ehr);
        var options = Options.Create(ehr);
        _http = Some.EhrHttpClient(options, new RecordingLogger<EhrHttpClient>());
        var sender = new TransactionSender(_http, options, new RecordingLogger<TransactionSender>());
        Service = Some.DeliveryService(Store.Outbox, sender, options, Log, time: fakeTime ? Clock : TimeProvider.System, health: Health);
        await Service.StartAsync(default);
    }

    public static string DeviceId(int index) => $"thermo-{index}";

    public Task<OutboxStatus> WaitUntilAsync(Func<OutboxStatus, bool> done, int seconds = 30) =>
        Eventually.ValueAsync(() => Store.Status.GetOutboxStatusAsync(default), done, TimeSpan.FromSeconds(seconds));

    /// <summary>Observations per resource in a transaction request.</summary>
    public static int ObservationsIn(RecordedRequest request) =>
        request.Path.EndsWith("/R4", StringComparison.Ordinal) && request.Body.Length > 0
            ? JsonNode.Parse(request.Body)!["entry"]!.AsArray().Count(e => (string?)e!["resource"]!["resourceType"] == "Observation")
            : 0;

    public static int EntriesIn(RecordedRequest request) =>
        request.Path.EndsWith("/R4", StringComparison.Ordinal) && request.Body.Length > 0 ? JsonNode.Parse(request.Body)!["entry"]!.AsArray().Count : 0;

    /// <summary>The EHR holds exactly <paramref name="count"/> Observations, each identifier once.</summary>
    public void AssertEhrHolds(int count)
    {
        var observations = Fhir.OfType("Observation");
        Assert.Equal(count, observations.Count);
        Assert.Equal(count, observations.Select(o => o.IdentifierKey).Distinct().Count());
    }

    public async ValueTask DisposeAsync()
    {
        if (Service is not null) await Service.StopAsync(default);
        _http?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
        Store?.Dispose();
        _temp.Dispose();
    }
}
