using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.Delivery;
using Vitals.Gateway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Vitals.Gateway.Tests.Web;

// Alone: OpenTelemetry listens to every meter named "Vitals.Gateway" in the process, so the gateways of tests running
// beside this one would add to its counters (one gateway per process in production, where this cannot happen).
[Collection(EndToEndCollection.Name)]
public sealed class MetricsEndpointTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Metrics_parse_as_Prometheus_text_and_the_counters_match_the_store()
    {
        await using var ehr = await ScriptedFhirServer.StartAsync();
        await using var gateway = await InProcessGateway.StartAsync(ehr.BaseUrl, new Dictionary<string, string?>
        {
            ["Metrics:OutboxRefresh"] = "00:00:00.1",
            ["Ehr:Profile"] = "fhir-conditional",
        });
        await gateway.Store.Bindings.BindAsync("scale-1", null, PatientId.Parse("Patient/p1"), Some.BoundLongAgo, default);
        var pipeline = gateway.Services.GetRequiredService<IngestPipeline>();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 5; i++)
            await Submit(pipeline, "vitals/scale-1/body-weight", $$"""{"value": 7{{i}}.5, "unit": "kg", "time": "{{now.AddMinutes(-i):O}}", "id": "m{{i}}"}""");
        // A resend of the first (duplicate), two readings of an unbound device (quarantined), one implausible (rejected).
        await Submit(pipeline, "vitals/scale-1/body-weight", $$"""{"value": 70.5, "unit": "kg", "time": "{{now:O}}", "id": "m0"}""");
        await Submit(pipeline, "vitals/scale-2/body-weight", $$"""{"value": 80, "unit": "kg", "time": "{{now:O}}"}""");
        await Submit(pipeline, "vitals/scale-2/body-weight", $$"""{"value": 81, "unit": "kg", "time": "{{now.AddMinutes(-1):O}}"}""");
        await Submit(pipeline, "vitals/scale-1/body-weight", """{"value": 900, "unit": "kg"}""");
        await Eventually.TrueAsync(async () => (await gateway.Store.Status.GetOutboxStatusAsync(default)).Delivered == 5,
            TimeSpan.FromSeconds(30), "five readings delivered");
        using var http = new HttpClient();

        var text = await http.GetStringAsync($"{gateway.WebUrl}/metrics");
        output.WriteLine(text);
        var samples = PrometheusText.Parse(text);

        var store = await gateway.Store.Status.GetOutboxStatusAsync(default);
        Assert.Equal((5, 1, 2, 1), (store.Delivered, store.Rejected, store.Quarantined, store.Pending + store.Delivered + store.DeadLetters - 4));
        Assert.Equal(9, PrometheusText.Value(samples, "vitals_readings_received_total"));
        Assert.Equal(5, PrometheusText.Value(samples, "vitals_readings_queued_total"));
        Assert.Equal(1, PrometheusText.Value(samples, "vitals_readings_duplicates_total"));
        Assert.Equal(store.Quarantined, PrometheusText.Value(samples, "vitals_readings_quarantined_total"));
        Assert.Equal(store.Rejected, PrometheusText.Value(samples, "vitals_readings_rejected_total"));
        Assert.Equal(store.Delivered, PrometheusText.Value(samples, "vitals_readings_delivered_total"));
        Assert.Equal(store.DeadLetters, PrometheusText.Value(samples, "vitals_readings_dead_lettered_total"));
        Assert.Equal(store.Delivered, PrometheusText.Value(samples, "vitals_delivery_latency_seconds_count"));
        Assert.True(PrometheusText.Value(samples, "vitals_delivery_latency_seconds_sum") > 0);
        Assert.Equal(store.Pending, PrometheusText.Value(samples, "vitals_outbox_depth"));
        Assert.Equal(0, PrometheusText.Value(samples, "vitals_outbox_oldest_age_seconds"));
        Assert.Equal(0, PrometheusText.Value(samples, "vitals_devices_connected", ("transport", "mqtt")));
        // The runtime's meter: the process's working set and the managed heap, as the memory section of docs/operations.md reads them.
        Assert.InRange(PrometheusText.Value(samples, "dotnet_process_memory_working_set_bytes"), 10e6, 10e9);
        Assert.True(PrometheusText.Value(samples, "dotnet_gc_heap_total_allocated_bytes_total") > 0);
        Assert.Contains(samples, s => s.Name == "dotnet_gc_last_collection_heap_size_bytes" && s.Labels.GetValueOrDefault("gc_heap_generation") == "gen2");
    }

    [Fact]
    public void The_parser_refuses_what_is_not_the_exposition_format()
    {
        Assert.Throws<FormatException>(() => PrometheusText.Parse("metric 1"));
        Assert.Throws<FormatException>(() => PrometheusText.Parse("1metric 1\n"));
        Assert.Throws<FormatException>(() => PrometheusText.Parse("m{a=\"x} 1\n"));
        Assert.Throws<FormatException>(() => PrometheusText.Parse("m{a=x} 1\n"));
        Assert.Throws<FormatException>(() => PrometheusText.Parse("m one\n"));
        Assert.Throws<FormatException>(() => PrometheusText.Parse("# TYPE m counter\n# TYPE m gauge\nm 1\n"));
        Assert.Throws<FormatException>(() => PrometheusText.Parse(
            "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 0.5\n"));
        var ok = PrometheusText.Parse("# HELP m a \"help\"\n# TYPE m counter\nm_total{a=\"x\\\"y\",b=\"\\\\\"} 1.5e3 1700000000000\n\n");
        Assert.Equal(1500, Assert.Single(ok).Value);
        Assert.Equal("x\"y", ok[0].Labels["a"]);
    }

    private static Task<IngestOutcome> Submit(IngestPipeline pipeline, string topic, string payload) =>
        pipeline.SubmitAsync(Some.MqttMessage(topic, Encoding.UTF8.GetBytes(payload), DateTimeOffset.UtcNow), default);
}
