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
/// Ehr:ValidateBeforeSend in the delivery loop, over a real store and sender against a scripted EHR: a reading whose
/// resources are invalid becomes a dead letter without a request, and the readings behind it are delivered.
/// </summary>
public sealed class PreSendValidationTests : IAsyncDisposable
{
    private static readonly PatientId Patient = PatientId.Parse("Patient/p-1");

    // A store-level corruption the MQTT decoders never produce: a control character in the temperature site, which
    // the mapper copies into bodySite.text (R4 strings exclude control characters).
    private const string CorruptSite = "oral\u0007";

    private readonly TempStore _temp = new();
    private readonly RecordingLogger<DeliveryService> _loopLog = new();
    private readonly RecordingLogger<PreSendValidation> _validationLog = new();
    private StoreSet _store = null!;
    private ScriptedFhirServer? _server;
    private EhrHttpClient? _http;
    private ConditionalCreateSender? _sender;
    private DeliveryService? _service;

    [Fact]
    public async Task An_invalid_reading_becomes_a_dead_letter_without_a_request_and_the_good_ones_behind_it_are_delivered()
    {
        var requests = await RunAsync(validate: true, corruptIndex: 1, readings: 4);

        var status = await WaitUntilAsync(s => s.Pending == 0);
        Assert.Equal(3, status.Delivered);
        Assert.Equal(1, status.DeadLetters);
        Assert.Equal(3, requests.RequestsFor("Observation").Count);
        Assert.DoesNotContain(requests.Requests, r => r.Body.Contains("\\u0007", StringComparison.Ordinal) || r.Body.Contains('\u0007'));

        var dead = Assert.Single(await _store.DeadLetters.ListDeadLettersAsync(10, default));
        Assert.Equal(CorruptSite, dead.Reading!.Site);
        Assert.Null(dead.Why.HttpStatus);
        // The site is not a SNOMED CT body structure, so it is named in a note (docs/fhir.md), where the control character is caught.
        Assert.StartsWith("failed validation before send: Observation 8310-5 at Observation.note[0].text", dead.Why.Reason, StringComparison.Ordinal);
        Assert.Contains("\"resourceType\": \"Bundle\"", dead.Why.Request, StringComparison.Ordinal);
        Assert.Contains("\"resourceType\": \"OperationOutcome\"", dead.Why.Response, StringComparison.Ordinal);
        Assert.Contains("Observation.note[0].text", dead.Why.Response, StringComparison.Ordinal);

        var logged = Assert.Single(_validationLog.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Equal((3150, LogLevel.Error), (logged.EventId.Id, logged.Level));
        Assert.DoesNotContain(Patient.ToString(), logged.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("oral", logged.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_loopLog.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task With_validation_off_the_same_reading_goes_to_the_EHR_which_decides()
    {
        var requests = await RunAsync(validate: false, corruptIndex: 0, readings: 2);

        var status = await WaitUntilAsync(s => s.Pending == 0);
        Assert.Equal(2, status.Delivered);
        Assert.Equal(2, requests.RequestsFor("Observation").Count);
        Assert.Empty(_validationLog.Entries);
    }

    private async Task<ScriptedFhirServer> RunAsync(bool validate, int corruptIndex, int readings)
    {
        var server = await ScriptedFhirServer.StartAsync(ScriptedFhirServer.ConditionalCreateServer());
        _server = server;
        _store = await _temp.OpenAsync();
        await _store.Bindings.BindAsync("thermo-1", null, Patient, Some.MeasuredAt, default);
        var batch = Enumerable.Range(0, readings)
            .Select(i => Some.StoredThermometer("thermo-1", 36.5m, Some.MeasuredAt.AddMinutes(i)))
            .Select((r, i) => Some.AcceptedRecord(i == corruptIndex ? r with { Site = CorruptSite } : r))
            .ToList();
        await _store.Ingest.CommitAsync(batch, default);

        var options = Options.Create(new EhrOptions
        {
            BaseUrl = server.BaseUrl,
            Retry = new EhrRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(100) },
        });
        _http = Some.EhrHttpClient(options, new RecordingLogger<EhrHttpClient>());
        _sender = new ConditionalCreateSender(_http, new RecordingLogger<ConditionalCreateSender>());
        _service = Some.DeliveryService(_store.Outbox, _sender, options, _loopLog, Some.PreSendValidation(_store.Outbox, validate, _validationLog));
        await _service.StartAsync(CancellationToken.None);
        return server;
    }

    // The first validation loads the specification and compiles the profile: seconds, not milliseconds.
    private Task<OutboxStatus> WaitUntilAsync(Func<OutboxStatus, bool> done) =>
        Eventually.ValueAsync(() => _store.Status.GetOutboxStatusAsync(default), done, TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync()
    {
        if (_service is not null) await _service.StopAsync(CancellationToken.None);
        _sender?.Dispose();
        _http?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
        _store?.Dispose();
        _temp.Dispose();
    }
}
