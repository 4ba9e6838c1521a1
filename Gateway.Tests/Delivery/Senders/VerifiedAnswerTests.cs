using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Tests.Storage;

namespace Vitals.Gateway.Tests.Delivery.Senders;

/// <summary>
/// A 2xx is delivery only when the answer proves it (R4 RESTful API: transaction-response entries, a create's Location
/// or resource): each profile's sender against every kind of answer that does not, over real HTTP.
/// </summary>
public sealed class VerifiedAnswerTests : IDisposable
{
    private const string OperationOutcome200 =
        """{"resourceType":"OperationOutcome","issue":[{"severity":"information","code":"informational"}]}""";

    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    private static (TransactionSender Sender, EhrHttpClient Http, RecordingLogger<TransactionSender> Log) Transaction(string baseUrl, long maxResponseBytes = EhrOptions.DefaultMaxResponseBytes)
    {
        var options = Options.Create(new EhrOptions { BaseUrl = baseUrl, MaxResponseBytes = maxResponseBytes });
        var log = new RecordingLogger<TransactionSender>();
        var http = Some.EhrHttpClient(options, log);
        return (new TransactionSender(http, options, log), http, log);
    }

    private async Task<(SinglePostSender Sender, EhrHttpClient Http, StoreSet Store)> SinglePostAsync(string baseUrl)
    {
        var store = await _temp.OpenAsync();
        var options = Options.Create(new EhrOptions { BaseUrl = baseUrl, Profile = EhrProfile.SinglePost });
        var http = Some.EhrHttpClient(options, new RecordingLogger<EhrHttpClient>());
        return (new SinglePostSender(http, store.Ledger, options, TimeProvider.System, new RecordingLogger<SinglePostSender>()), http, store);
    }

    private static (ConditionalCreateSender Sender, EhrHttpClient Http) Conditional(string baseUrl)
    {
        var options = Options.Create(new EhrOptions { BaseUrl = baseUrl, Profile = EhrProfile.FhirConditional });
        var http = Some.EhrHttpClient(options, new RecordingLogger<EhrHttpClient>());
        return (new ConditionalCreateSender(http, new RecordingLogger<ConditionalCreateSender>()), http);
    }

    /// <summary>The server's answer to a transaction, committed, then rewritten by <paramref name="rewrite"/>.</summary>
    private static Func<RecordedRequest, ScriptedResponse?> Rewritten(MiniFhir fhir, Action<JsonObject> rewrite) => request =>
    {
        var answer = JsonNode.Parse(fhir.Commit(request).Body!)!.AsObject();
        rewrite(answer);
        return ScriptedResponse.Json(200, answer.ToJsonString());
    };

    public static TheoryData<string> UnprovenTransactionAnswers() => ["html", "operation-outcome", "empty", "searchset", "entry-missing", "entry-extra", "entry-5xx"];

    private static ScriptedResponse? Unproven(string kind, MiniFhir fhir, RecordedRequest request) => kind switch
    {
        "html" => ScriptedResponse.Html(),
        "operation-outcome" => ScriptedResponse.Json(200, OperationOutcome200),
        "empty" => new ScriptedResponse(200),
        "searchset" => ScriptedResponse.Json(200, """{"resourceType":"Bundle","type":"searchset","entry":[]}"""),
        "entry-missing" => Rewritten(fhir, a => a["entry"]!.AsArray().RemoveAt(a["entry"]!.AsArray().Count - 1))(request),
        "entry-extra" => Rewritten(fhir, a => a["entry"]!.AsArray().Add(new JsonObject { ["response"] = new JsonObject { ["status"] = "201 Created" } }))(request),
        "entry-5xx" => Rewritten(fhir, a => a["entry"]![1]!["response"]!["status"] = "500 Internal Server Error")(request),
        _ => throw new ArgumentException(kind),
    };

    [Theory]
    [MemberData(nameof(UnprovenTransactionAnswers))]
    public async Task A_transaction_answer_that_proves_nothing_delivers_nothing_and_the_resend_files_nothing_twice(string kind)
    {
        var fhir = new MiniFhir();
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        var (sender, http, log) = Transaction(server.BaseUrl);
        using var _ = http;
        var readings = Some.OutgoingTemperatures(3, devices: 2);
        fhir.Fault(r => Unproven(kind, fhir, r));

        var results = await sender.SendAsync(readings, default);

        Assert.All(results, r => Assert.IsType<DeliveryResult.RetryLater>(r));
        var reason = ((DeliveryResult.RetryLater)results[0]).Reason;
        Assert.StartsWith("unexpected answer: 200 ", reason, StringComparison.Ordinal);
        Assert.Contains("from POST [base] (transaction, 3 readings)", reason, StringComparison.Ordinal);
        if (kind == "html")
            Assert.StartsWith("unexpected answer: 200 text/html from POST [base]", reason, StringComparison.Ordinal);
        var warning = Assert.Single(log.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Equal(3020, warning.EventId.Id);

        // The resend: conditional creates match what the first one filed (when it filed anything).
        var again = await sender.SendAsync(readings, default);
        Assert.All(again, r => Assert.IsType<DeliveryResult.Delivered>(r));
        Assert.Equal(3, fhir.OfType("Observation").Count);
        Assert.Equal(2, fhir.OfType("Device").Count);
    }

    [Fact]
    public async Task A_batch_response_dead_letters_the_reading_whose_entry_was_refused_and_retries_the_rest()
    {
        var fhir = new MiniFhir();
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        var (sender, http, _) = Transaction(server.BaseUrl);
        using var h = http;
        // One device: entry 0 is the Device, entries 1-3 the Observations of readings 0-2.
        var readings = Some.OutgoingTemperatures(3, devices: 1);
        fhir.Fault(Rewritten(fhir, answer =>
        {
            answer["type"] = "batch-response";
            answer["entry"]![2]!["response"] = new JsonObject
            {
                ["status"] = "422 Unprocessable Entity",
                ["outcome"] = JsonNode.Parse("""{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"business-rule","expression":["Observation.code"]}]}"""),
            };
        }));

        var results = await sender.SendAsync(readings, default);

        Assert.IsType<DeliveryResult.RetryLater>(results[0]);
        var refused = Assert.IsType<DeliveryResult.Rejected>(results[1]);
        Assert.Equal(422, refused.HttpStatus);
        Assert.Equal("HTTP 422 for entry 3 of the batch-response to POST [base] (transaction, 3 readings): error business-rule at Observation.code", refused.Reason);
        Assert.Contains("business-rule", refused.Response, StringComparison.Ordinal);
        var later = Assert.IsType<DeliveryResult.RetryLater>(results[2]);
        Assert.StartsWith("unexpected answer: 200 application/fhir+json from POST [base] (transaction, 3 readings): a batch-response", later.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_transaction_response_with_200_for_matched_conditional_creates_is_delivered()
    {
        var fhir = new MiniFhir();
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        var (sender, http, _) = Transaction(server.BaseUrl);
        using var h = http;
        var readings = Some.OutgoingTemperatures(2, devices: 1);
        await sender.SendAsync(readings, default);

        var again = await sender.SendAsync(readings, default);

        Assert.All(again, r => Assert.Single(Assert.IsType<DeliveryResult.Delivered>(r).ServerIds));
        Assert.Contains("\"200 OK\"", fhir.Respond(server.Requests[^1]).Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("html")]
    [InlineData("operation-outcome")]
    [InlineData("empty")]
    public async Task Single_post_records_no_acknowledgement_without_a_server_id_and_finds_the_copy_on_the_next_attempt(string kind)
    {
        var fhir = new MiniFhir();
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        var (sender, http, store) = await SinglePostAsync(server.BaseUrl);
        using var h = http;
        var reading = Some.Outgoing(Some.MappedTemperature());
        // The EHR files the Observation but a portal in front of it answers for it.
        fhir.Fault(fhir.Commit);
        fhir.Fault(r =>
        {
            fhir.Commit(r);
            return kind switch { "html" => ScriptedResponse.Html(), "operation-outcome" => ScriptedResponse.Json(200, OperationOutcome200), _ => new ScriptedResponse(200) };
        });

        var first = Assert.IsType<DeliveryResult.RetryLater>(Assert.Single(await sender.SendAsync([reading], default)));
        Assert.StartsWith("unexpected answer: 200 ", first.Reason, StringComparison.Ordinal);
        Assert.Contains("from POST Observation: no Location and no Observation with an id in the body", first.Reason, StringComparison.Ordinal);
        var key = SinglePostSender.LedgerKey("Observation", reading.ObservationKeys[0]);
        Assert.False((await store.Ledger.GetLedgerAsync([key], default))[key].Acknowledged);

        var second = Assert.IsType<DeliveryResult.Delivered>(Assert.Single(await sender.SendAsync([reading], default)));
        Assert.Single(fhir.OfType("Observation"));
        Assert.Equal("Observation/" + fhir.OfType("Observation")[0].Id, Assert.Single(second.ServerIds));
        Assert.Equal(second.ServerIds[0], (await store.Ledger.GetLedgerAsync([key], default))[key].ServerId);
    }

    [Fact]
    public async Task Single_post_a_Device_acknowledged_without_an_id_does_not_dead_letter_the_devices_later_readings()
    {
        var fhir = new MiniFhir();
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        var (sender, http, store) = await SinglePostAsync(server.BaseUrl);
        using var h = http;
        var reading = Some.Outgoing(Some.MappedTemperature());
        // An acknowledgement recorded without an id (before answers were verified), for a Device the EHR holds.
        var deviceKey = SinglePostSender.LedgerKey("Device", reading.DeviceKey!);
        await sender.SendAsync([reading], default);
        await store.Ledger.RecordAcknowledgedAsync(deviceKey, null, DateTimeOffset.UtcNow, default);
        var later = Some.Outgoing(Some.MappedTemperature(readingKey: "reading-43"), outboxId: 2);

        var result = Assert.IsType<DeliveryResult.Delivered>(Assert.Single(await sender.SendAsync([later], default)));

        Assert.Single(result.ServerIds);
        Assert.Single(fhir.OfType("Device"));
        Assert.Equal("Device/" + fhir.OfType("Device")[0].Id, (await store.Ledger.GetLedgerAsync([deviceKey], default))[deviceKey].ServerId);
    }

    [Fact]
    public async Task Single_post_a_search_answered_with_a_login_page_is_retried_not_taken_for_no_match()
    {
        var fhir = new MiniFhir();
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        var (sender, http, store) = await SinglePostAsync(server.BaseUrl);
        using var h = http;
        var reading = Some.Outgoing(Some.MappedTemperature());
        fhir.CommitThenHang();
        var options = Options.Create(new EhrOptions { BaseUrl = server.BaseUrl, Timeout = TimeSpan.FromMilliseconds(500), Profile = EhrProfile.SinglePost });
        using var impatient = Some.EhrHttpClient(options);
        var hurried = new SinglePostSender(impatient, store.Ledger, options, TimeProvider.System, new RecordingLogger<SinglePostSender>());
        Assert.IsType<DeliveryResult.RetryLater>(Assert.Single(await hurried.SendAsync([reading], default)));
        fhir.Fault(_ => ScriptedResponse.Html());

        var result = Assert.IsType<DeliveryResult.RetryLater>(Assert.Single(await sender.SendAsync([reading], default)));

        Assert.Contains("not a searchset Bundle", result.Reason, StringComparison.Ordinal);
        Assert.Single(fhir.OfType("Device"));
    }

    [Theory]
    [InlineData("html")]
    [InlineData("operation-outcome")]
    public async Task Conditional_create_answered_without_the_resource_is_retried_and_the_resend_files_nothing_twice(string kind)
    {
        var fhir = new MiniFhir();
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        var (sender, http) = Conditional(server.BaseUrl);
        using var h = http;
        using var s = sender;
        var reading = Some.Outgoing(Some.MappedBloodPressure());
        fhir.Fault(fhir.Commit);
        fhir.Fault(r =>
        {
            fhir.Commit(r);
            return kind == "html" ? ScriptedResponse.Html() : ScriptedResponse.Json(200, OperationOutcome200);
        });

        var first = Assert.IsType<DeliveryResult.RetryLater>(Assert.Single(await sender.SendAsync([reading], default)));
        Assert.StartsWith(kind == "html" ? "unexpected answer: 200 text/html from POST Observation" : "unexpected answer: 200 application/fhir+json from POST Observation",
            first.Reason, StringComparison.Ordinal);

        var second = Assert.IsType<DeliveryResult.Delivered>(Assert.Single(await sender.SendAsync([reading], default)));
        Assert.Equal(2, second.ServerIds.Count);
        Assert.Equal(2, fhir.OfType("Observation").Count);
        Assert.Single(fhir.OfType("Device"));
    }

    [Fact]
    public async Task A_transaction_answer_over_the_limit_is_not_delivered_and_not_read_whole()
    {
        var fhir = new MiniFhir();
        var padding = new string(' ', 256 * 1024);
        await using var server = await ScriptedFhirServer.StartAsync(r => Rewritten(fhir, a => a["padding"] = padding)(r)!);
        var (sender, http, _) = Transaction(server.BaseUrl, maxResponseBytes: 64 * 1024);
        using var h = http;

        var results = await sender.SendAsync(Some.OutgoingTemperatures(2), default);

        var later = Assert.IsType<DeliveryResult.RetryLater>(results[0]);
        Assert.StartsWith("unexpected answer: 200 application/fhir+json from POST [base] (transaction, 2 readings): larger than Ehr:MaxResponseBytes (65536 bytes)", later.Reason, StringComparison.Ordinal);
        Assert.IsType<DeliveryResult.RetryLater>(results[1]);
    }

    [Fact]
    public async Task A_gzip_bomb_stops_at_the_limit_counted_in_decompressed_bytes()
    {
        // 256 MiB of zeros in about 256 KiB of gzip.
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 256; i++)
                gzip.Write(zeros);
        }
        var bomb = compressed.ToArray();
        await using var server = await ScriptedFhirServer.StartAsync(_ => new ScriptedResponse(
            200, Headers: new Dictionary<string, string> { ["Content-Encoding"] = "gzip", ["Content-Type"] = "application/fhir+json" }) { RawBody = bomb });
        var (sender, http, _) = Transaction(server.BaseUrl, maxResponseBytes: 1024 * 1024);
        using var h = http;

        var before = GC.GetTotalAllocatedBytes(precise: false);
        var results = await sender.SendAsync(Some.OutgoingTemperatures(1), default);
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - before;

        var later = Assert.IsType<DeliveryResult.RetryLater>(Assert.Single(results));
        Assert.Contains("larger than Ehr:MaxResponseBytes (1048576 bytes)", later.Reason, StringComparison.Ordinal);
        // Process-wide (other tests run alongside), so only a coarse bound: far below the 256 MiB the bomb inflates to.
        Assert.True(allocated < 256L * 1024 * 1024, $"{allocated} bytes allocated while reading the bomb");
    }

    [Fact]
    public async Task A_refusal_with_a_body_over_the_limit_is_still_a_refusal_with_the_body_cut()
    {
        await using var server = await ScriptedFhirServer.StartAsync(_ => new ScriptedResponse(422, new string('x', 10_000),
            new Dictionary<string, string> { ["Content-Type"] = "text/plain" }));
        var (sender, http, _) = Transaction(server.BaseUrl, maxResponseBytes: 4096);
        using var h = http;

        var refused = Assert.IsType<DeliveryResult.Rejected>(Assert.Single(await sender.SendAsync(Some.OutgoingTemperatures(1), default)));

        Assert.Equal(4096, refused.Response!.Length);
    }

    [Fact]
    public void A_dead_letter_keeps_a_long_answer_cut_and_says_how_much_was_cut()
    {
        var text = new string('y', DeadLetterText.MaxChars + 100);

        var kept = DeadLetterText.Truncate(text, out var cut);

        Assert.Equal(100, cut);
        Assert.StartsWith(new string('y', DeadLetterText.MaxChars), kept, StringComparison.Ordinal);
        Assert.EndsWith($"\n[truncated: 100 of {text.Length} characters left out]", kept, StringComparison.Ordinal);
        Assert.Equal("short", DeadLetterText.Truncate("short", out var none));
        Assert.Equal(0, none);
    }
}
