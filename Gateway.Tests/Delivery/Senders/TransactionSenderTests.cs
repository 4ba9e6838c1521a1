using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Delivery.Senders;

/// <summary>The fhir-transaction profile over real HTTP against <see cref="MiniFhir"/>: Bundle shape, id mapping, the poison search and every fault kind.</summary>
public sealed class TransactionSenderTests
{
    private static (TransactionSender Sender, EhrHttpClient Http) Create(string baseUrl, int maxSize = 50, TimeSpan? timeout = null)
    {
        var options = Options.Create(new EhrOptions
        {
            BaseUrl = baseUrl,
            Timeout = timeout ?? TimeSpan.FromSeconds(5),
            Batch = new EhrBatchOptions { MaxSize = maxSize },
        });
        var http = Some.EhrHttpClient(options, new RecordingLogger<EhrHttpClient>());
        return (new TransactionSender(http, options, new RecordingLogger<TransactionSender>()), http);
    }

    [Fact]
    public async Task One_transaction_Bundle_with_conditional_Device_and_Observation_entries_and_ids_mapped_back()
    {
        var fhir = new MiniFhir();
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        var (sender, http) = Create(server.BaseUrl);
        using var _ = http;
        var readings = Some.OutgoingTemperatures(5, devices: 2);

        var results = await sender.SendAsync(readings, default);

        var request = Assert.Single(server.Requests);
        Assert.Equal("/fhir/R4", request.Path);
        using var bundle = JsonDocument.Parse(request.Body);
        Assert.Equal("transaction", bundle.RootElement.GetProperty("type").GetString());
        var entries = bundle.RootElement.GetProperty("entry").EnumerateArray().ToList();
        Assert.Equal(7, entries.Count); // 2 devices + 5 observations
        var devices = entries.Where(e => e.GetProperty("resource").GetProperty("resourceType").GetString() == "Device").ToList();
        Assert.Equal(2, devices.Count);
        foreach (var e in entries)
        {
            Assert.StartsWith("urn:uuid:", e.GetProperty("fullUrl").GetString());
            Assert.Equal("POST", e.GetProperty("request").GetProperty("method").GetString());
            Assert.StartsWith("identifier=", e.GetProperty("request").GetProperty("ifNoneExist").GetString());
        }
        var deviceUrls = devices.Select(d => d.GetProperty("fullUrl").GetString()).ToHashSet();
        Assert.All(entries.Except(devices), o => Assert.Contains(o.GetProperty("resource").GetProperty("device").GetProperty("reference").GetString(), deviceUrls));

        Assert.Equal(5, fhir.OfType("Observation").Count);
        for (var i = 0; i < 5; i++)
        {
            var delivered = Assert.IsType<DeliveryResult.Delivered>(results[i]);
            var id = Assert.Single(delivered.ServerIds);
            var stored = fhir.OfType("Observation").Single(o => "Observation/" + o.Id == id);
            Assert.Equal($"reading-{i}", (string?)stored.Resource["identifier"]![0]!["value"]);
            Assert.StartsWith("Device/", (string?)stored.Resource["device"]!["reference"]);
        }

        // The devices are known now: the next Bundle references them by id and carries no Device entry.
        await sender.SendAsync([Some.Outgoing(Some.MappedTemperature("00-1C-05-00-00-00", "reading-new"))], default);
        using var second = JsonDocument.Parse(server.Requests[^1].Body);
        var only = Assert.Single(second.RootElement.GetProperty("entry").EnumerateArray());
        Assert.StartsWith("Device/", only.GetProperty("resource").GetProperty("device").GetProperty("reference").GetString());
        Assert.Equal(2, fhir.OfType("Device").Count);
    }

    [Fact]
    public async Task A_resent_Bundle_files_nothing_twice()
    {
        var fhir = new MiniFhir();
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        var (sender, http) = Create(server.BaseUrl);
        using var _ = http;
        var readings = Some.OutgoingTemperatures(4);

        await sender.SendAsync(readings, default);
        var again = await sender.SendAsync(readings, default);

        Assert.Equal(4, fhir.OfType("Observation").Count);
        Assert.All(again, r => Assert.IsType<DeliveryResult.Delivered>(r));
    }

    [Fact]
    public async Task A_refused_Bundle_is_split_until_only_the_poison_reading_is_refused_with_its_OperationOutcome()
    {
        var fhir = new MiniFhir { Poison = r => (string?)r["identifier"]?[0]?["value"] == "reading-6" };
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        var (sender, http) = Create(server.BaseUrl);
        using var _ = http;

        var results = await sender.SendAsync(Some.OutgoingTemperatures(10), default);

        var rejected = Assert.IsType<DeliveryResult.Rejected>(results[6]);
        Assert.Equal(422, rejected.HttpStatus);
        Assert.Contains("OperationOutcome", rejected.Response);
        Assert.Contains("reading-6", rejected.Request);
        Assert.Contains("error invalid at Observation.value", rejected.Reason);
        Assert.All(results.Where((_, i) => i != 6), r => Assert.IsType<DeliveryResult.Delivered>(r));
        Assert.Equal(9, fhir.OfType("Observation").Count);
        // 10 -> 5 + 5 -> (2 + 3) -> (1 + 2) -> (1 + 1): a handful of requests, not one per reading.
        Assert.InRange(server.Requests.Count, 4, 9);
    }

    [Fact]
    public async Task A_refused_Bundle_keeps_the_known_devices_so_the_halves_carry_no_Device_entries()
    {
        var fhir = new MiniFhir { Poison = r => (string?)r["identifier"]?[0]?["value"] == "reading-3" };
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        var (sender, http) = Create(server.BaseUrl);
        using var _ = http;
        await sender.SendAsync([Some.Outgoing(Some.MappedTemperature("00-1C-05-00-00-00", "first"))], default);
        var before = server.Requests.Count;

        var results = await sender.SendAsync([.. Enumerable.Range(0, 6).Select(i => Some.Outgoing(Some.MappedTemperature("00-1C-05-00-00-00", $"reading-{i}")))], default);

        Assert.IsType<DeliveryResult.Rejected>(results[3]);
        Assert.All(results.Where((_, i) => i != 3), r => Assert.IsType<DeliveryResult.Delivered>(r));
        var bodies = server.Requests.Skip(before).Select(r => r.Body).ToList();
        Assert.True(bodies.Count > 2, "the Bundle was not split");
        Assert.All(bodies, b => Assert.DoesNotContain("\"resourceType\":\"Device\"", b, StringComparison.Ordinal));
        Assert.Single(fhir.OfType("Device"));
    }

    [Fact]
    public async Task After_a_refusal_that_devices_readings_go_alone_after_the_others_so_the_others_Bundle_is_not_split()
    {
        const string refused = "00-1C-05-00-00-0A";
        var fhir = new MiniFhir { Poison = r => ((string?)r["identifier"]?[0]?["value"])?.StartsWith(refused, StringComparison.Ordinal) == true };
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        var (sender, http) = Create(server.BaseUrl);
        using var _ = http;
        OutgoingReading Reading(string device, int i) => Some.Outgoing(Some.MappedTemperature(device, $"{device}|{i}"), outboxId: i, deviceId: device);
        string[] devices = ["00-1C-05-00-00-01", refused, "00-1C-05-00-00-02"];

        // The first round finds the refused device by splitting.
        var first = await sender.SendAsync([.. Enumerable.Range(0, 6).Select(i => Reading(devices[i % 3], i))], default);
        Assert.Equal(2, first.Count(r => r is DeliveryResult.Rejected));
        var before = server.Requests.Count;

        var second = await sender.SendAsync([.. Enumerable.Range(6, 6).Select(i => Reading(devices[i % 3], i))], default);

        // Results stay in place: readings 7 and 10 are the refused device's.
        for (var i = 0; i < 6; i++)
        {
            if ((i + 6) % 3 == 1)
                Assert.IsType<DeliveryResult.Rejected>(second[i]);
            else
                Assert.IsType<DeliveryResult.Delivered>(second[i]);
        }
        // One Bundle with the four others, then one request per refused reading, in their order: no split.
        var requests = server.Requests.Skip(before).Select(r => r.Body).ToList();
        Assert.Equal(3, requests.Count);
        Assert.DoesNotContain(refused, requests[0], StringComparison.Ordinal);
        Assert.Contains($"{refused}|7", requests[1], StringComparison.Ordinal);
        Assert.Contains($"{refused}|10", requests[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Device_the_EHR_no_longer_holds_is_created_again_and_no_reading_is_refused()
    {
        var fhir = new MiniFhir();
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        var (sender, http) = Create(server.BaseUrl);
        using var _ = http;
        await sender.SendAsync([Some.Outgoing(Some.MappedTemperature("00-1C-05-00-00-00", "first"))], default);
        fhir.ForgetDevices();

        var results = await sender.SendAsync([.. Enumerable.Range(0, 3).Select(i => Some.Outgoing(Some.MappedTemperature("00-1C-05-00-00-00", $"reading-{i}")))], default);

        Assert.All(results, r => Assert.IsType<DeliveryResult.Delivered>(r));
        var device = Assert.Single(fhir.OfType("Device"));
        Assert.Equal(3, fhir.OfType("Observation").Count(o => (string?)o.Resource["device"]?["reference"] == "Device/" + device.Id));
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task Throttled_or_unavailable_the_whole_Bundle_waits_with_the_servers_Retry_After(int status)
    {
        var fhir = new MiniFhir();
        fhir.Fault(ScriptedResponse.WithRetryAfter(status, "7"));
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        var (sender, http) = Create(server.BaseUrl);
        using var _ = http;

        var results = await sender.SendAsync(Some.OutgoingTemperatures(3), default);

        Assert.All(results, r => Assert.Equal(TimeSpan.FromSeconds(7), Assert.IsType<DeliveryResult.RetryLater>(r).RetryAfter));
        Assert.Contains($"HTTP {status}", ((DeliveryResult.RetryLater)results[0]).Reason);
        Assert.Empty(fhir.All);
    }

    [Fact]
    public async Task A_transient_failure_while_splitting_holds_the_rest_of_the_Bundle_in_order()
    {
        var fhir = new MiniFhir { Poison = r => (string?)r["identifier"]?[0]?["value"] == "reading-3" };
        fhir.Fault(_ => null); // the first (whole) Bundle: handled, refused for the poison
        fhir.Fault(ScriptedResponse.WithRetryAfter(503, "1")); // its first half: the EHR goes away
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        var (sender, http) = Create(server.BaseUrl);
        using var _ = http;

        var results = await sender.SendAsync(Some.OutgoingTemperatures(4), default);

        Assert.Equal(2, server.Requests.Count);
        Assert.All(results, r => Assert.IsType<DeliveryResult.RetryLater>(r));
        Assert.Empty(fhir.All);
    }

    [Fact]
    public async Task A_lost_answer_times_out_and_the_resend_matches_what_the_first_Bundle_filed()
    {
        var fhir = new MiniFhir();
        fhir.CommitThenHang();
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        var (sender, http) = Create(server.BaseUrl, timeout: TimeSpan.FromMilliseconds(500));
        using var _ = http;
        var readings = Some.OutgoingTemperatures(3);

        var first = await sender.SendAsync(readings, default);
        Assert.All(first, r => Assert.Contains("no answer from the EHR within 0.5 s", Assert.IsType<DeliveryResult.RetryLater>(r).Reason));
        var second = await sender.SendAsync(readings, default);

        Assert.All(second, r => Assert.IsType<DeliveryResult.Delivered>(r));
        Assert.Equal(3, fhir.OfType("Observation").Count);
    }

    [Fact]
    public async Task Connection_refused_is_retried_later_for_every_reading()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var (sender, http) = Create($"http://127.0.0.1:{port}/fhir/R4");
        using var _ = http;

        var results = await sender.SendAsync(Some.OutgoingTemperatures(2), default);

        Assert.All(results, r => Assert.Contains("connection refused", Assert.IsType<DeliveryResult.RetryLater>(r).Reason));
    }

    [Fact]
    public async Task A_Bundle_refused_without_a_poison_entry_ends_as_dead_letters_one_by_one()
    {
        // Every request refused (a server that rejects transactions): each reading ends with its own 400.
        await using var server = await ScriptedFhirServer.StartAsync(_ => ScriptedResponse.Json(400, """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-supported"}]}"""));
        var (sender, http) = Create(server.BaseUrl);
        using var _ = http;

        var results = await sender.SendAsync(Some.OutgoingTemperatures(3), default);

        Assert.All(results, r => Assert.Equal(400, Assert.IsType<DeliveryResult.Rejected>(r).HttpStatus));
        Assert.Equal(5, server.Requests.Count); // 3 -> 1 + 2 -> 1 + 1
    }
}
