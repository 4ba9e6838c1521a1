using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.Storage;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Delivery.Senders;

/// <summary>The single-post profile with its ledger in a real SQLite store, against <see cref="MiniFhir"/> over HTTP.</summary>
public sealed class SinglePostSenderTests : IDisposable
{
    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<(SinglePostSender Sender, EhrHttpClient Http, StoreSet Store, RecordingLogger<SinglePostSender> Log)> CreateAsync(
        string baseUrl, bool search = true, TimeSpan? timeout = null)
    {
        var store = await _temp.OpenAsync();
        var options = Options.Create(new EhrOptions
        {
            BaseUrl = baseUrl,
            Timeout = timeout ?? TimeSpan.FromSeconds(5),
            Profile = EhrProfile.SinglePost,
            SinglePost = new EhrSinglePostOptions { SearchBeforeResend = search },
        });
        var http = Some.EhrHttpClient(options, new RecordingLogger<EhrHttpClient>());
        var log = new RecordingLogger<SinglePostSender>();
        return (new SinglePostSender(http, store.Ledger, options, TimeProvider.System, log), http, store, log);
    }

    [Fact]
    public async Task Plain_posts_without_If_None_Exist_ids_from_Location_only_answers_and_the_ledger_stops_a_resend()
    {
        var fhir = new MiniFhir();
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        var (sender, http, store, _) = await CreateAsync(server.BaseUrl);
        using var h = http;
        var reading = Some.Outgoing(Some.MappedBloodPressure());

        var result = Assert.IsType<DeliveryResult.Delivered>(Assert.Single(await sender.SendAsync([reading], default)));

        Assert.Equal(["Device", "Observation", "Observation"], server.Requests.Select(r => r.ResourceType));
        Assert.All(server.Requests, r => Assert.Null(r.IfNoneExist));
        // 201 with an empty body: the ids come from Location.
        Assert.Equal(fhir.OfType("Observation").Select(o => "Observation/" + o.Id), result.ServerIds);
        Assert.All(fhir.OfType("Observation"), o => Assert.Equal("Device/" + fhir.OfType("Device")[0].Id, (string?)o.Resource["device"]!["reference"]));

        var again = Assert.IsType<DeliveryResult.Delivered>(Assert.Single(await sender.SendAsync([reading], default)));
        Assert.Equal(3, server.Requests.Count);
        Assert.Equal(result.ServerIds, again.ServerIds);
        var keys = reading.ObservationKeys.Select(k => SinglePostSender.LedgerKey("Observation", k)).ToList();
        Assert.All((await store.Ledger.GetLedgerAsync(keys, default)).Values, e => Assert.True(e.Acknowledged));
    }

    [Fact]
    public async Task A_failure_between_a_blood_pressures_two_Observations_resends_only_the_second()
    {
        var fhir = new MiniFhir();
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        var (sender, http, _, _) = await CreateAsync(server.BaseUrl);
        using var h = http;
        var reading = Some.Outgoing(Some.MappedBloodPressure());
        fhir.Fault(_ => null); // Device
        fhir.Fault(_ => null); // the panel
        fhir.Fault(ScriptedResponse.Json(503, "{}")); // the pulse

        Assert.IsType<DeliveryResult.RetryLater>(Assert.Single(await sender.SendAsync([reading], default)));
        var posts = server.Requests.Count;
        Assert.IsType<DeliveryResult.Delivered>(Assert.Single(await sender.SendAsync([reading], default)));

        var resent = server.Requests.Skip(posts).ToList();
        // The pulse's outcome was a definite 503, but the ledger only knows it was sent: it searches, finds nothing, posts.
        Assert.Equal(["GET Observation", "POST Observation"], resent.Select(r => $"{r.Method} {r.ResourceType}"));
        Assert.Equal(2, fhir.OfType("Observation").Count);
    }

    [Fact]
    public async Task An_unknown_outcome_is_looked_up_by_identifier_before_posting_again()
    {
        var fhir = new MiniFhir();
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        // Long enough for the answers that do come on a loaded CI machine; the hung one times out all the same.
        var (sender, http, _, log) = await CreateAsync(server.BaseUrl, timeout: TimeSpan.FromSeconds(2));
        using var h = http;
        var reading = Some.Outgoing(Some.MappedTemperature());
        fhir.Fault(_ => null); // Device
        fhir.CommitThenHang(); // the Observation is filed, the answer is lost

        Assert.IsType<DeliveryResult.RetryLater>(Assert.Single(await sender.SendAsync([reading], default)));
        var result = Assert.IsType<DeliveryResult.Delivered>(Assert.Single(await sender.SendAsync([reading], default)));

        Assert.Equal("GET", server.Requests[^1].Method);
        var stored = Assert.Single(fhir.OfType("Observation"));
        Assert.Equal(["Observation/" + stored.Id], result.ServerIds);
        Assert.Contains(log.Entries, e => e.EventId.Id == 3014);
    }

    [Fact]
    public async Task Without_search_an_unknown_outcome_is_posted_again_the_documented_duplicate_and_the_refused_search_is_warned_about_once()
    {
        var fhir = new MiniFhir { SupportsSearch = false };
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        // Long enough for the answers that do come on a loaded CI machine; the hung one times out all the same.
        var (sender, http, _, log) = await CreateAsync(server.BaseUrl, timeout: TimeSpan.FromSeconds(2));
        using var h = http;
        var readings = Some.OutgoingTemperatures(2, devices: 1);
        fhir.Fault(_ => null); // Device
        fhir.CommitThenHang(); // reading 0's Observation is filed, its answer lost
        Assert.IsType<DeliveryResult.RetryLater>(Assert.Single(await sender.SendAsync([readings[0]], default)));
        fhir.Fault(ScriptedResponse.Json(500, "{}")); // reading 1's Observation: not filed
        Assert.IsType<DeliveryResult.RetryLater>(Assert.Single(await sender.SendAsync([readings[1]], default)));

        var results = await sender.SendAsync(readings, default);

        Assert.All(results, r => Assert.IsType<DeliveryResult.Delivered>(r));
        // The EHR cannot be asked, so reading 0 is filed a second time: the limit the README states for such EHRs.
        Assert.Equal(2, fhir.OfType("Observation").Count(o => (string?)o.Resource["identifier"]![0]!["value"] == "reading-0"));
        Assert.Single(fhir.OfType("Observation"), o => (string?)o.Resource["identifier"]![0]!["value"] == "reading-1");
        Assert.Equal(LogLevel.Warning, Assert.Single(log.Entries, e => e.EventId.Id == 3015).Level);
    }

    [Fact]
    public async Task A_refused_Observation_is_a_dead_letter_and_leaves_no_unknown_outcome_behind()
    {
        var fhir = new MiniFhir { Poison = r => (string?)r["resourceType"] == "Observation" };
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        var (sender, http, store, _) = await CreateAsync(server.BaseUrl);
        using var h = http;
        var reading = Some.Outgoing(Some.MappedTemperature());

        var rejected = Assert.IsType<DeliveryResult.Rejected>(Assert.Single(await sender.SendAsync([reading], default)));

        Assert.Equal(422, rejected.HttpStatus);
        Assert.Contains("OperationOutcome", rejected.Response);
        Assert.Contains("\"resourceType\":\"Observation\"", rejected.Request);
        var key = SinglePostSender.LedgerKey("Observation", reading.ObservationKeys[0]);
        Assert.Empty(await store.Ledger.GetLedgerAsync([key], default));
    }

    [Fact]
    public async Task Device_left_out_no_Device_is_posted_and_the_Observation_names_none()
    {
        var fhir = new MiniFhir();
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        var (sender, http, _, _) = await CreateAsync(server.BaseUrl);
        using var h = http;
        var mapped = Some.MappedTemperature();
        var compatibility = new EhrCompatibility(new EhrCompatibilityOptions { Omit = ["device", "identifier"] });
        var reading = OutgoingReading.FromMapping(Some.Outgoing(mapped).Entry, mapped, compatibility);

        Assert.IsType<DeliveryResult.Delivered>(Assert.Single(await sender.SendAsync([reading], default)));
        Assert.IsType<DeliveryResult.Delivered>(Assert.Single(await sender.SendAsync([reading], default)));

        var stored = Assert.Single(fhir.All);
        Assert.Null(stored.Resource["device"]);
        Assert.Null(stored.Resource["identifier"]);
    }
}
