using System.Text.Json;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.EndToEnd;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Tests.Storage;

namespace Vitals.Gateway.Tests.Delivery;

/// <summary>
/// The delivery loop over a real store against the sandbox EHR answering writes with a 2xx that proves nothing
/// (<c>$admin/answers</c>): while the switch is on nothing counts as delivered; after it is off, what the gateway
/// counts as delivered is exactly what the EHR holds, each reading once, and every reading is either delivered or a
/// dead letter the EHR does not hold.
/// </summary>
public sealed class UnprovenAnswersSandboxTests(SandboxEhrFixture fixture) : IClassFixture<SandboxEhrFixture>, IAsyncDisposable
{
    private const int Readings = 6;

    // One patient per test: a request the previous test's loop had in flight when it stopped is still handled by the
    // EHR, possibly after this test's reset; reading back by subject keeps such leftovers out of this test's count.
    private readonly PatientId _patient = PatientId.Parse("Patient/p-" + Guid.NewGuid().ToString("N")[..12]);

    private readonly TempStore _temp = new();
    private EhrHttpClient? _http;
    private IEhrSender? _sender;
    private DeliveryService? _service;

    [Theory]
    [InlineData("html", "fhir-transaction")]
    [InlineData("operation-outcome", "fhir-transaction")]
    [InlineData("batch-response", "fhir-transaction")]
    [InlineData("drop-entry", "fhir-transaction")]
    [InlineData("html", "single-post")]
    [InlineData("operation-outcome", "single-post")]
    [InlineData("html", "fhir-conditional")]
    [InlineData("operation-outcome", "fhir-conditional")]
    public async Task Nothing_counts_as_delivered_without_proof_and_the_EHR_ends_up_holding_exactly_what_was_delivered(string mode, string profile)
    {
        var ehr = fixture.Ehr;
        await ehr.ResetAsync();
        await ehr.SetAnswersAsync(mode);
        var store = await StartAsync(ehr.BaseUrlText, profile);

        // Several attempts answered under the switch: none of them counts.
        await Eventually.TrueAsync(async () => Requests(await ehr.StatsAsync()) >= 4, TimeSpan.FromSeconds(30), "the EHR answered a few attempts");
        var during = await store.Status.GetOutboxStatusAsync(default);
        // Only single-post can prove a write the EHR stored but answered with an OperationOutcome: its search by
        // identifier finds it. Whatever counts as delivered must be in the EHR.
        if (mode != "operation-outcome" || profile != "single-post")
            Assert.Equal(0, during.Delivered);
        var heldDuring = (await ehr.SearchAllAsync(ObservationsOfPatient)).Select(o => "Observation/" + o.GetProperty("id").GetString()).ToHashSet();
        Assert.Subset(heldDuring, EhrContents.DeliveredServerIds(_temp.DatabasePath).ToHashSet());
        if (mode == "batch-response")
            Assert.True(during.DeadLetters >= 1, "the refused batch entry's reading is a dead letter");

        await ehr.SetAnswersAsync("off");
        var after = await Eventually.ValueAsync(() => store.Status.GetOutboxStatusAsync(default), s => s.Pending == 0, TimeSpan.FromSeconds(60));

        Assert.Equal(Readings, after.Delivered + after.DeadLetters);
        if (mode != "batch-response")
            Assert.Equal(0, after.DeadLetters);
        var observations = await ehr.SearchAllAsync(ObservationsOfPatient);
        var identifiers = observations.Select(o => o.GetProperty("identifier")[0].GetProperty("value").GetString()).ToList();
        Assert.Equal(identifiers.Count, identifiers.Distinct().Count());
        var held = observations.Select(o => "Observation/" + o.GetProperty("id").GetString()).ToList();
        var delivered = EhrContents.DeliveredServerIds(_temp.DatabasePath);
        Assert.Equal(delivered.Order(StringComparer.Ordinal), held.Order(StringComparer.Ordinal));
        Assert.Equal(after.Delivered, delivered.Count);
    }

    private string ObservationsOfPatient => "Observation?subject=" + Uri.EscapeDataString(_patient.ToString());

    private async Task<StoreSet> StartAsync(string baseUrl, string profile)
    {
        var store = await _temp.OpenAsync();
        foreach (var device in (string[])["thermo-1", "thermo-2"])
            await store.Bindings.BindAsync(device, null, _patient, Some.MeasuredAt, default);
        await store.Ingest.CommitAsync(
            [.. Enumerable.Range(0, Readings).Select(i => Some.AcceptedRecord(Some.StoredThermometer($"thermo-{1 + i % 2}", 36.5m + i / 10m, Some.MeasuredAt.AddMinutes(i))))],
            default);

        var options = Options.Create(new EhrOptions
        {
            BaseUrl = baseUrl,
            Profile = EhrProfileConverter.TryParse(profile, out var p) ? p : throw new ArgumentException(profile),
            Retry = new EhrRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(200) },
        });
        _http = Some.EhrHttpClient(options, new RecordingLogger<EhrHttpClient>());
        _sender = options.Value.Profile switch
        {
            EhrProfile.FhirTransaction => new TransactionSender(_http, options, new RecordingLogger<TransactionSender>()),
            EhrProfile.SinglePost => new SinglePostSender(_http, store.Ledger, options, TimeProvider.System, new RecordingLogger<SinglePostSender>()),
            _ => new ConditionalCreateSender(_http, new RecordingLogger<ConditionalCreateSender>()),
        };
        _service = Some.DeliveryService(store.Outbox, _sender, options, new RecordingLogger<DeliveryService>());
        await _service.StartAsync(CancellationToken.None);
        return store;
    }

    private static int Requests(JsonDocument stats)
    {
        using (stats)
            return stats.RootElement.GetProperty("requests").GetInt32();
    }

    public async ValueTask DisposeAsync()
    {
        if (_service is not null)
            await _service.StopAsync(CancellationToken.None);
        (_sender as IDisposable)?.Dispose();
        _http?.Dispose();
        await fixture.Ehr.SetAnswersAsync("off");
        _temp.Dispose();
    }
}
