using Vitals.Gateway.Fhir;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Device = Hl7.Fhir.Model.Device;
using Observation = Hl7.Fhir.Model.Observation;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Delivery.Auth;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Delivery.Senders;

public sealed class ConditionalCreateSenderTests
{
    private static readonly JsonSerializerOptions Fhir = new JsonSerializerOptions().ForFhir();

    private const string UnprocessableOutcome = """
        {"resourceType":"OperationOutcome","issue":[
          {"severity":"error","code":"invalid","details":{"coding":[{"system":"http://example.org/errors","code":"VAL-17"}],"text":"Patient/pat-4711 has 37.2"},
           "diagnostics":"Value 37.2 Cel out of range for Patient/pat-4711","expression":["Observation.value.ofType(Quantity)"]},
          {"severity":"warning","code":"business-rule","location":["Observation.subject"]}]}
        """;

    /// <summary>The sender over its own pooled client; both log to <paramref name="log"/>, as the request lines are part of a send.</summary>
    private static Rig CreateSender(
        string baseUrl, out RecordingLogger<ConditionalCreateSender> log, TimeProvider? time = null, Action<EhrOptions>? configure = null)
    {
        var options = new EhrOptions { BaseUrl = baseUrl };
        configure?.Invoke(options);
        log = new RecordingLogger<ConditionalCreateSender>();
        var http = Some.EhrHttpClient(Options.Create(options), log, time);
        return new Rig(http, new ConditionalCreateSender(http, log));
    }

    /// <summary>The sender and the client it does not own, disposed together.</summary>
    private sealed class Rig(EhrHttpClient http, ConditionalCreateSender sender) : IDisposable
    {
        public Task<DeliveryResult> SendAsync(MappedReading mapped, CancellationToken ct) => sender.SendAsync(mapped, ct);

        public void Dispose()
        {
            sender.Dispose();
            http.Dispose();
        }
    }

    [Fact]
    public async Task Created_with_only_a_Location_and_an_empty_body_is_delivered()
    {
        await using var server = await ScriptedFhirServer.StartAsync(r => r.ResourceType == "Device"
            ? ScriptedResponse.Created("/fhir/R4/Device/dev-1/_history/1")
            : ScriptedResponse.Created("http://127.0.0.1/fhir/R4/Observation/obs-7/_history/1"));
        using var sender = CreateSender(server.BaseUrl, out var log);
        var mapped = Some.MappedTemperature();

        var result = await sender.SendAsync(mapped, CancellationToken.None);

        var delivered = Assert.IsType<DeliveryResult.Delivered>(result);
        Assert.Equal(["Observation/obs-7"], delivered.ServerIds);
        Assert.Equal(["/fhir/R4/Device", "/fhir/R4/Observation"], server.Requests.Select(r => r.Path));
        Assert.All(server.Requests, r =>
        {
            Assert.Equal("POST", r.Method);
            Assert.StartsWith("application/fhir+json", r.ContentType);
            Assert.Equal("application/fhir+json", r.Accept);
            Assert.Equal("", r.Authorization);
        });

        var sent = JsonSerializer.Deserialize<Observation>(server.RequestsFor("Observation").Single().Body, Fhir)!;
        Assert.Equal("Device/dev-1", sent.Device!.Reference);
        Assert.Equal(Some.BluetoothSystem, sent.Device!.Identifier!.System);
        Assert.Equal(Some.DeviceAddress, sent.Device!.Identifier!.Value);
        Assert.Equal(Some.PatientReference, sent.Subject!.Reference);
        // The caller's mapping is left as it was.
        Assert.Null(mapped.Observations[0].Device!.Reference);

        var device = JsonSerializer.Deserialize<Device>(server.RequestsFor("Device").Single().Body, Fhir)!;
        Assert.Equal(Some.DeviceAddress, device.Identifier.Single().Value);
        // Per-request detail goes to Debug only; a success logs nothing above it.
        Assert.Equal(2, log.Entries.Count(e => e.EventId.Id == 3000 && e.Level == LogLevel.Debug));
        Assert.DoesNotContain(log.Entries, e => e.Level > LogLevel.Debug);
    }

    [Fact]
    public async Task Ok_for_an_existing_match_is_delivered_with_the_existing_id()
    {
        await using var server = await ScriptedFhirServer.StartAsync(r => r.ResourceType == "Device"
            ? ScriptedResponse.Json(200, """{"resourceType":"Device","id":"dev-old"}""")
            : ScriptedResponse.Json(200, """{"resourceType":"Observation","id":"existing-9","status":"final"}"""));
        using var sender = CreateSender(server.BaseUrl, out _);

        var result = await sender.SendAsync(Some.MappedTemperature(), CancellationToken.None);

        Assert.Equal(["Observation/existing-9"], Assert.IsType<DeliveryResult.Delivered>(result).ServerIds);
        var sent = JsonSerializer.Deserialize<Observation>(server.RequestsFor("Observation").Single().Body, Fhir)!;
        Assert.Equal("Device/dev-old", sent.Device!.Reference);
    }

    [Fact]
    public async Task Every_Observation_of_a_reading_is_posted_and_its_id_collected()
    {
        await using var server = await ScriptedFhirServer.StartAsync();
        using var sender = CreateSender(server.BaseUrl, out _);

        var result = await sender.SendAsync(Some.MappedBloodPressure(), CancellationToken.None);

        Assert.Equal(["Observation/observation-2", "Observation/observation-3"],
            Assert.IsType<DeliveryResult.Delivered>(result).ServerIds);
        Assert.Equal(2, server.RequestsFor("Observation").Count);
    }

    [Fact]
    public async Task The_Device_is_created_once_across_many_readings()
    {
        await using var server = await ScriptedFhirServer.StartAsync();
        using var sender = CreateSender(server.BaseUrl, out _);

        for (var i = 0; i < 5; i++)
            await sender.SendAsync(Some.MappedTemperature(readingKey: $"seq-{i}"), CancellationToken.None);
        // Concurrent first readings of a new device must not race two creates of the same Device.
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            sender.SendAsync(Some.MappedBloodPressure(sequence: $"p{i}"), CancellationToken.None)));

        Assert.All(results, r => Assert.IsType<DeliveryResult.Delivered>(r));
        var devicePosts = server.RequestsFor("Device");
        Assert.Equal(2, devicePosts.Count);
        Assert.Equal(2, devicePosts.Select(r => r.IfNoneExist).Distinct().Count());
        Assert.Equal(5 + 16, server.RequestsFor("Observation").Count);
        // Both devices are cached: a later reading of each posts its Observations only.
        await sender.SendAsync(Some.MappedTemperature(readingKey: "seq-later"), CancellationToken.None);
        await sender.SendAsync(Some.MappedBloodPressure(sequence: "later"), CancellationToken.None);
        Assert.Equal(2, server.RequestsFor("Device").Count);
    }

    [Fact]
    public async Task A_failed_Device_create_is_not_cached()
    {
        var deviceAnswers = new Queue<ScriptedResponse>([new ScriptedResponse(503), ScriptedResponse.Created("/fhir/R4/Device/d9")]);
        await using var server = await ScriptedFhirServer.StartAsync(r => r.ResourceType == "Device"
            ? deviceAnswers.Dequeue()
            : ScriptedResponse.Created("/fhir/R4/Observation/o1"));
        using var sender = CreateSender(server.BaseUrl, out _);

        Assert.IsType<DeliveryResult.RetryLater>(await sender.SendAsync(Some.MappedTemperature(), CancellationToken.None));
        Assert.Empty(server.RequestsFor("Observation"));
        Assert.IsType<DeliveryResult.Delivered>(await sender.SendAsync(Some.MappedTemperature(), CancellationToken.None));
        Assert.Equal(2, server.RequestsFor("Device").Count);
    }

    [Fact]
    public async Task If_None_Exist_is_built_from_the_resources_own_identifier()
    {
        await using var server = await ScriptedFhirServer.StartAsync();
        using var sender = CreateSender(server.BaseUrl, out _);

        await sender.SendAsync(Some.MappedTemperature(readingKey: "therm|body-temperature|2026-11-25T08:30:00+01:00|a,b"), CancellationToken.None);

        Assert.Equal("identifier=http%3A%2F%2Fhl7.org%2Ffhir%2Fsid%2Feui-48%2Fbluetooth|00-1C-05-00-78-25",
            server.RequestsFor("Device").Single().IfNoneExist);
        var observation = server.RequestsFor("Observation").Single();
        // FHIR search escaping (\| and \,) and then percent-encoding: the server decodes back to the exact value.
        Assert.Equal(
            "identifier=https%3A%2F%2Fvitals.example.org%2Ffhir%2Fsid%2Freading|"
            + "therm%5C%7Cbody-temperature%5C%7C2026-11-25T08%3A30%3A00%2B01%3A00%5C%7Ca%5C%2Cb",
            observation.IfNoneExist);
        var sent = JsonSerializer.Deserialize<Observation>(observation.Body, Fhir)!.Identifier.Single();
        Assert.Equal(ObservationIdentifier.ToSearchQuery(sent), observation.IfNoneExist);
        Assert.Equal(
            $"identifier={sent.System}|{sent.Value!.Replace("|", "\\|").Replace(",", "\\,")}",
            WebUtility.UrlDecode(observation.IfNoneExist));
    }

    [Fact]
    public async Task Bearer_mode_sends_the_token()
    {
        await using var server = await ScriptedFhirServer.StartAsync();
        using var sender = CreateSender(server.BaseUrl, out _, configure: o =>
        {
            o.Auth.Mode = EhrAuthMode.Bearer;
            o.Auth.BearerToken = "s3cret-token";
        });

        await sender.SendAsync(Some.MappedTemperature(), CancellationToken.None);

        Assert.All(server.Requests, r => Assert.Equal("Bearer s3cret-token", r.Authorization));
    }

    [Fact]
    public async Task Too_many_requests_with_Retry_After_seconds_is_retry_later_with_that_delay()
    {
        await using var server = await ScriptedFhirServer.StartAsync(r => r.ResourceType == "Device"
            ? ScriptedResponse.Created("/fhir/R4/Device/d1")
            : ScriptedResponse.WithRetryAfter(429, "120"));
        using var sender = CreateSender(server.BaseUrl, out var log);

        var result = await sender.SendAsync(Some.MappedTemperature(), CancellationToken.None);

        var retry = Assert.IsType<DeliveryResult.RetryLater>(result);
        Assert.Equal(TimeSpan.FromSeconds(120), retry.RetryAfter);
        Assert.Equal("HTTP 429 from the EHR on POST Observation", retry.Reason);
        // Per-attempt detail is Debug; the delivery loop logs an outage once, when it starts.
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Debug && e.EventId.Id == 3010);
    }

    [Fact]
    public async Task Too_many_requests_with_an_HTTP_date_is_measured_from_the_injected_clock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 7, 30, 0, TimeSpan.Zero));
        var until = time.GetUtcNow().AddSeconds(90).ToString("R", CultureInfo.InvariantCulture);
        await using var server = await ScriptedFhirServer.StartAsync(r => r.ResourceType == "Device"
            ? ScriptedResponse.Created("/fhir/R4/Device/d1")
            : ScriptedResponse.WithRetryAfter(429, until));
        using var sender = CreateSender(server.BaseUrl, out _, time);

        var result = await sender.SendAsync(Some.MappedTemperature(), CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(90), Assert.IsType<DeliveryResult.RetryLater>(result).RetryAfter);
    }

    [Fact]
    public async Task Service_unavailable_with_Retry_After_is_retry_later()
    {
        await using var server = await ScriptedFhirServer.StartAsync(_ => ScriptedResponse.WithRetryAfter(503, "30"));
        using var sender = CreateSender(server.BaseUrl, out _);

        var result = await sender.SendAsync(Some.MappedTemperature(), CancellationToken.None);

        var retry = Assert.IsType<DeliveryResult.RetryLater>(result);
        Assert.Equal(TimeSpan.FromSeconds(30), retry.RetryAfter);
        Assert.Equal("HTTP 503 from the EHR on POST Device", retry.Reason);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(504)]
    [InlineData(408)]
    [InlineData(401)]
    public async Task Server_errors_and_request_timeouts_are_retry_later(int status)
    {
        await using var server = await ScriptedFhirServer.StartAsync(r => r.ResourceType == "Device"
            ? ScriptedResponse.Created("/fhir/R4/Device/d1")
            : ScriptedResponse.Json(status, """{"resourceType":"OperationOutcome","issue":[{"severity":"fatal","code":"exception"}]}"""));
        using var sender = CreateSender(server.BaseUrl, out _);

        var result = await sender.SendAsync(Some.MappedTemperature(), CancellationToken.None);

        var retry = Assert.IsType<DeliveryResult.RetryLater>(result);
        Assert.Null(retry.RetryAfter);
        Assert.StartsWith($"HTTP {status} from the EHR on POST Observation", retry.Reason);
    }

    [Fact]
    public async Task A_server_slower_than_the_timeout_is_retry_later()
    {
        await using var server = await ScriptedFhirServer.StartAsync(r => r.ResourceType == "Device"
            ? ScriptedResponse.Created("/fhir/R4/Device/d1")
            : ScriptedResponse.Hang());
        // Long enough for the Device's answer on a busy machine (the first request of a new client); the hung one still times out.
        using var sender = CreateSender(server.BaseUrl, out _, configure: o => o.Timeout = TimeSpan.FromSeconds(1.5));

        var result = await sender.SendAsync(Some.MappedTemperature(), CancellationToken.None);

        var retry = Assert.IsType<DeliveryResult.RetryLater>(result);
        Assert.Equal("no answer from the EHR within 1.5 s on POST Observation", retry.Reason);
        Assert.Null(retry.RetryAfter);
    }

    [Fact]
    public async Task Connection_refused_is_retry_later()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var sender = CreateSender($"http://127.0.0.1:{port}/fhir", out _);

        var result = await sender.SendAsync(Some.MappedTemperature(), CancellationToken.None);

        var retry = Assert.IsType<DeliveryResult.RetryLater>(result);
        Assert.Equal($"connection refused by the EHR at 127.0.0.1:{port} on POST Device", retry.Reason);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(422)]
    public async Task An_OperationOutcome_refusal_is_rejected_with_request_and_response_kept(int status)
    {
        await using var server = await ScriptedFhirServer.StartAsync(r => r.ResourceType == "Device"
            ? ScriptedResponse.Created("/fhir/R4/Device/d1")
            : ScriptedResponse.Json(status, UnprocessableOutcome));
        using var sender = CreateSender(server.BaseUrl, out var log);

        var result = await sender.SendAsync(Some.MappedTemperature(), CancellationToken.None);

        var rejected = Assert.IsType<DeliveryResult.Rejected>(result);
        Assert.Equal(status, rejected.HttpStatus);
        Assert.Equal(server.RequestsFor("Observation").Single().Body, rejected.Request);
        Assert.Equal(UnprocessableOutcome, rejected.Response);
        Assert.Equal(
            $"HTTP {status} from the EHR on POST Observation: error invalid (VAL-17) at Observation.value.ofType(Quantity); "
            + "warning business-rule at Observation.subject",
            rejected.Reason);
        // Logged once, at Debug here; the delivery loop logs the dead letter at Error.
        Assert.Equal(LogLevel.Debug, Assert.Single(log.Entries, e => e.EventId.Id == 3011).Level);
        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task Reasons_and_warnings_carry_no_patient_identifiers_or_values()
    {
        var answers = new Queue<ScriptedResponse>(
        [
            ScriptedResponse.Created("/fhir/R4/Device/d1"),
            ScriptedResponse.Json(422, UnprocessableOutcome),
            ScriptedResponse.Json(503, UnprocessableOutcome),
            ScriptedResponse.Json(412, UnprocessableOutcome),
            new ScriptedResponse(404, "<html>Patient/pat-4711 not found</html>"),
        ]);
        await using var server = await ScriptedFhirServer.StartAsync(_ => answers.Dequeue());
        using var sender = CreateSender(server.BaseUrl, out var log);

        var reasons = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var result = await sender.SendAsync(Some.MappedTemperature(), CancellationToken.None);
            reasons.Add(result switch
            {
                DeliveryResult.Rejected r => r.Reason,
                DeliveryResult.RetryLater r => r.Reason,
                _ => throw new InvalidOperationException(result.ToString()),
            });
        }

        // The reasons go on into the delivery loop's Warning and Error lines, so they and the sender's outcome lines
        // (Debug, but the same text) must be free of patient data.
        var visible = reasons.Concat(log.Entries.Where(e => e.EventId.Id is 3010 or 3011).Select(e => e.Message)).ToList();
        Assert.Equal(4 + 4, visible.Count);
        foreach (var text in visible)
        {
            Assert.DoesNotContain("pat-4711", text);
            Assert.DoesNotContain("37.2", text);
            Assert.DoesNotContain("00-1C-05", text);
            Assert.DoesNotContain("body-temperature|", text);
        }
        Assert.Equal("HTTP 404 from the EHR on POST Observation: check Ehr:BaseUrl and Ehr:Auth", reasons[3]);
    }

    [Fact]
    public async Task Several_matches_for_the_conditional_create_is_rejected()
    {
        await using var server = await ScriptedFhirServer.StartAsync(r => r.ResourceType == "Device"
            ? ScriptedResponse.Created("/fhir/R4/Device/d1")
            : new ScriptedResponse(412));
        using var sender = CreateSender(server.BaseUrl, out _);

        var result = await sender.SendAsync(Some.MappedTemperature(), CancellationToken.None);

        var rejected = Assert.IsType<DeliveryResult.Rejected>(result);
        Assert.Equal(412, rejected.HttpStatus);
        Assert.Equal("HTTP 412 from the EHR on POST Observation: several resources match the conditional create's identifier",
            rejected.Reason);
        Assert.Null(rejected.Response);
        Assert.Equal(server.RequestsFor("Observation").Single().Body, rejected.Request);
    }

    [Fact]
    public async Task A_rejected_Device_stops_the_reading_before_any_Observation()
    {
        await using var server = await ScriptedFhirServer.StartAsync(_ => ScriptedResponse.Json(422, UnprocessableOutcome));
        using var sender = CreateSender(server.BaseUrl, out _);

        var result = await sender.SendAsync(Some.MappedTemperature(), CancellationToken.None);

        var rejected = Assert.IsType<DeliveryResult.Rejected>(result);
        Assert.StartsWith("HTTP 422 from the EHR on POST Device", rejected.Reason);
        Assert.Equal(server.RequestsFor("Device").Single().Body, rejected.Request);
        Assert.Empty(server.RequestsFor("Observation"));
    }

    [Fact]
    public async Task A_Device_accepted_without_an_id_is_retried_not_refused()
    {
        await using var server = await ScriptedFhirServer.StartAsync(_ => new ScriptedResponse(201));
        using var sender = CreateSender(server.BaseUrl, out _);

        var result = await sender.SendAsync(Some.MappedTemperature(), CancellationToken.None);

        // A 2xx naming no Device proves nothing; the next conditional create finds whatever was filed.
        var later = Assert.IsType<DeliveryResult.RetryLater>(result);
        Assert.StartsWith("unexpected answer: 201 (no content type) from POST Device", later.Reason, StringComparison.Ordinal);
        Assert.Empty(server.RequestsFor("Observation"));
    }

    [Fact]
    public async Task A_retry_after_a_partial_failure_finds_the_Observations_already_created()
    {
        var failNextHeartRate = true;
        var conditional = ScriptedFhirServer.ConditionalCreateServer();
        await using var server = await ScriptedFhirServer.StartAsync(r =>
        {
            if (r.ResourceType == "Observation" && r.IfNoneExist!.Contains("heart-rate") && failNextHeartRate)
            {
                failNextHeartRate = false;
                return new ScriptedResponse(502);
            }
            return conditional(r);
        });
        using var sender = CreateSender(server.BaseUrl, out _);
        var mapped = Some.MappedBloodPressure();

        Assert.IsType<DeliveryResult.RetryLater>(await sender.SendAsync(mapped, CancellationToken.None));
        var second = await sender.SendAsync(mapped, CancellationToken.None);

        // The panel created by the first attempt comes back as the existing match, under the same id.
        Assert.Equal(["Observation/observation-2", "Observation/observation-3"],
            Assert.IsType<DeliveryResult.Delivered>(second).ServerIds);
        var panelPosts = server.RequestsFor("Observation").Where(r => !r.IfNoneExist!.Contains("heart-rate")).ToList();
        Assert.Equal(2, panelPosts.Count);
        Assert.Equal(panelPosts[0].IfNoneExist, panelPosts[1].IfNoneExist);
    }

    [Fact]
    public async Task Caller_cancellation_propagates_instead_of_becoming_a_result()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await ScriptedFhirServer.StartAsync(r =>
        {
            if (r.ResourceType == "Device")
                return ScriptedResponse.Created("/fhir/R4/Device/d1");
            arrived.TrySetResult();
            return ScriptedResponse.Hang();
        });
        using var sender = CreateSender(server.BaseUrl, out var log);
        using var cts = new CancellationTokenSource();

        var sending = sender.SendAsync(Some.MappedTemperature(), cts.Token);
        await arrived.Task;
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_mapping_without_a_deduplication_identifier_is_a_bug()
    {
        await using var server = await ScriptedFhirServer.StartAsync();
        using var sender = CreateSender(server.BaseUrl, out _);
        var mapped = Some.MappedTemperature();
        mapped.Observations[0].Identifier.Clear();

        await Assert.ThrowsAsync<ArgumentException>(() => sender.SendAsync(mapped, CancellationToken.None));
    }
}
