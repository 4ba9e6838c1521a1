using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Storage.Sqlite;
using Vitals.Gateway.Tests.Delivery;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Web;

public sealed class HealthEndpointTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Live_and_its_old_alias_answer_healthy_with_the_loops_check()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        using var http = new HttpClient();

        foreach (var path in new[] { "/healthz", "/healthz/live" })
        {
            var (status, json) = await GetAsync(http, gateway.WebUrl + path);

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("Healthy", json.GetProperty("status").GetString());
            var loops = json.GetProperty("checks").GetProperty("loops");
            Assert.Equal("Healthy", loops.GetProperty("status").GetString());
            Assert.Contains("loop(s) running", loops.GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.False(json.GetProperty("checks").TryGetProperty("store", out _), "liveness must not depend on the store");
        }
    }

    [Fact]
    public async Task Ready_turns_unhealthy_when_the_EHR_is_down_longer_than_MaxOutboxAge_and_healthy_again_after()
    {
        await using var ehr = await ScriptedFhirServer.StartAsync();
        var answers = ScriptedFhirServer.ConditionalCreateServer();
        var down = false;
        ehr.Respond = r => down ? new ScriptedResponse(503) : answers(r);
        await using var gateway = await InProcessGateway.StartAsync(ehr.BaseUrl, new Dictionary<string, string?>
        {
            ["Ehr:Profile"] = "fhir-conditional",
            ["Ehr:Retry:BaseDelay"] = "00:00:00.1",
            ["Ehr:Retry:MaxDelay"] = "00:00:00.3",
            ["Health:MaxOutboxAge"] = "00:00:02",
        });
        await gateway.Store.Bindings.BindAsync("thermo-1", null, PatientId.Parse("Patient/p1"), Some.BoundLongAgo, default);
        var pipeline = gateway.Services.GetRequiredService<IngestPipeline>();
        using var http = new HttpClient();
        var ready = gateway.WebUrl + "/healthz/ready";

        await Submit(pipeline, 1);
        var before = await Eventually.ValueAsync(() => GetAsync(http, ready), r => Check(r.Json, "ehr") == "Healthy" && r.Status == HttpStatusCode.OK
            && Description(r.Json, "ehr").Contains("answered", StringComparison.Ordinal), Patience);
        Assert.Equal(HttpStatusCode.OK, before.Status);
        Assert.Equal(["broker", "ehr", "loops", "outbox", "store"], Checks(before.Json));

        down = true;
        await Submit(pipeline, 2);
        var during = await Eventually.ValueAsync(() => GetAsync(http, ready), r => r.Status == HttpStatusCode.ServiceUnavailable, Patience);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, during.Status);
        Assert.Equal("Unhealthy", during.Json.GetProperty("status").GetString());
        Assert.Equal("Unhealthy", Check(during.Json, "outbox"));
        Assert.Contains("longer than Health:MaxOutboxAge", Description(during.Json, "outbox"), StringComparison.Ordinal);
        Assert.Contains("503", Description(during.Json, "ehr"), StringComparison.Ordinal);
        Assert.Equal("Healthy", Check(during.Json, "store"));

        down = false;
        var after = await Eventually.ValueAsync(() => GetAsync(http, ready), r => r.Status == HttpStatusCode.OK, Patience);

        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.Equal("Healthy", after.Json.GetProperty("status").GetString());
        Assert.Equal(0, (await gateway.Store.Status.GetOutboxStatusAsync(default)).Pending);
    }

    [Fact]
    public async Task Ready_is_unhealthy_and_says_why_when_the_store_cannot_commit()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        using var http = new HttpClient();
        var ready = gateway.WebUrl + "/healthz/ready";
        Assert.Equal("Healthy", Check((await GetAsync(http, ready)).Json, "store"));

        // The store closed under the running gateway: as good as a disk that refuses every write.
        gateway.Services.GetRequiredService<SqliteDatabase>().Dispose();
        var (status, json) = await GetAsync(http, ready);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", Check(json, "store"));
        Assert.Contains("cannot commit", Description(json, "store"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, gateway.WebUrl + "/healthz/live")).Status);
    }

    private static Task<IngestOutcome> Submit(IngestPipeline pipeline, int n) =>
        pipeline.SubmitAsync(Some.MqttMessage("vitals/thermo-1/body-temperature",
            Encoding.UTF8.GetBytes($$"""{"value": 37.{{n}}, "unit": "Cel", "time": "{{DateTimeOffset.UtcNow:O}}", "id": "t{{n}}"}"""), DateTimeOffset.UtcNow), default);

    internal static async Task<(HttpStatusCode Status, JsonElement Json)> GetAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url);
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static string? Check(JsonElement json, string name) =>
        json.GetProperty("checks").TryGetProperty(name, out var c) ? c.GetProperty("status").GetString() : null;

    private static string Description(JsonElement json, string name) =>
        json.GetProperty("checks").GetProperty(name).GetProperty("description").GetString() ?? "";

    private static string[] Checks(JsonElement json) =>
        [.. json.GetProperty("checks").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];
}
