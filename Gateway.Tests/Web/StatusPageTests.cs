using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Tests.Delivery;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Web;

public sealed class StatusPageTests
{
    [Fact]
    public async Task Shows_the_counts_and_the_latest_rejected_message_with_its_reason_but_not_its_value()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        var pipeline = gateway.Services.GetRequiredService<IngestPipeline>();
        await pipeline.SubmitAsync(Some.MqttMessage("vitals/scale-1/body-weight", Encoding.UTF8.GetBytes("""{"value": 987.6, "unit": "kg"}"""), DateTimeOffset.UtcNow), default);
        using var http = new HttpClient();

        var status = await http.GetFromJsonAsync<JsonElement>($"{gateway.WebUrl}/api/status");
        var page = await http.GetStringAsync($"{gateway.WebUrl}/");

        Assert.Equal(1, status.GetProperty("outbox").GetProperty("rejected").GetInt64());
        Assert.Equal(1, status.GetProperty("sinceStart").GetProperty("rejected").GetInt64());
        Assert.Contains("vitals/scale-1/body-weight", page, StringComparison.Ordinal);
        Assert.Contains("outside the plausible range", page, StringComparison.Ordinal);
        Assert.DoesNotContain("987.6", page, StringComparison.Ordinal); // with its decimals: "987" alone may be part of a port
    }

    [Fact]
    public async Task Renders_devices_connectivity_and_accessible_SVG_charts_without_a_patient_id_or_a_measured_value()
    {
        await using var ehr = await ScriptedFhirServer.StartAsync();
        await using var gateway = await InProcessGateway.StartAsync(ehr.BaseUrl, new Dictionary<string, string?> { ["Ehr:Profile"] = "fhir-conditional" });
        await gateway.Store.Bindings.BindAsync("scale-7", null, PatientId.Parse("Patient/zq-patient-4711"), Some.BoundLongAgo, default);
        var pipeline = gateway.Services.GetRequiredService<IngestPipeline>();
        for (var i = 0; i < 3; i++)
            await pipeline.SubmitAsync(Some.MqttMessage("vitals/scale-7/body-weight",
                Encoding.UTF8.GetBytes($$"""{"value": 8{{i}}.37, "unit": "kg", "time": "{{DateTimeOffset.UtcNow:O}}", "id": "w{{i}}"}"""), DateTimeOffset.UtcNow), default);
        await Eventually.TrueAsync(async () => (await gateway.Store.Status.GetOutboxStatusAsync(default)).Delivered == 3, TimeSpan.FromSeconds(30), "three readings delivered");
        await gateway.Store.DeviceInformation.SaveAsync("scale-7", new Vitals.Devices.DeviceInformation { Manufacturer = "Acme", Model = "WS-2", BatteryPercent = 64 },
            DateTimeOffset.UtcNow, default);
        using var http = new HttpClient();

        var page = await http.GetStringAsync($"{gateway.WebUrl}/");

        // Two charts, each an image with a title and description, and its numbers again as a table.
        var charts = Regex.Matches(page, "<svg role=\"img\" aria-labelledby=\"(\\w+)-t \\1-d\"");
        Assert.Equal(["traffic", "latency"], charts.Select(m => m.Groups[1].Value));
        Assert.Contains("<title id=\"traffic-t\">Readings per hour</title>", page, StringComparison.Ordinal);
        Assert.Contains("3 received, 3 delivered, 0 rejected in 24 hours", page, StringComparison.Ordinal);
        Assert.Matches("<rect class=\"received\"", page);
        Assert.Matches("<circle class=\"p50\"", page);
        Assert.Equal(2, Regex.Matches(page, "<details><summary>[^<]+: table</summary><table>").Count);
        // Devices and connectivity.
        // One row per slot: the scale's readings carry no user index, its slot without one is bound, nothing quarantined;
        // maker and model from its device record, and its battery.
        Assert.Matches("<th scope=\"row\">scale-7</th><td>–</td><td>Acme WS-2</td><td>yes</td><td class=\"n\">0</td>(?:(?!</tr>).)*<td>64 %</td></tr>", page);
        Assert.Matches("<th scope=\"row\">broker</th><td class=\"Healthy\">Healthy</td>", page);
        Assert.Matches("<th scope=\"row\">ehr</th><td class=\"Healthy\">Healthy</td>", page);
        // No patient, no value.
        Assert.DoesNotContain("patient-4711", page, StringComparison.Ordinal);
        Assert.DoesNotContain("zq-patient", page, StringComparison.Ordinal);
        Assert.DoesNotContain(".37", page, StringComparison.Ordinal);
        // The page runs under its own CSP: no inline script or style.
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<style", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("style=", page, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Shows_why_delivery_is_paused_for_a_configuration_fault()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        var health = gateway.Services.GetRequiredService<DeliveryHealth>();
        using var http = new HttpClient();

        var before = await http.GetFromJsonAsync<JsonElement>($"{gateway.WebUrl}/api/status");
        Assert.False(before.GetProperty("delivery").GetProperty("paused").GetBoolean());

        health.Pause("HTTP 403 from the EHR on POST [base]: check Ehr:BaseUrl and Ehr:Auth", DateTimeOffset.UtcNow);
        var status = await http.GetFromJsonAsync<JsonElement>($"{gateway.WebUrl}/api/status");
        var page = await http.GetStringAsync($"{gateway.WebUrl}/");

        Assert.True(status.GetProperty("delivery").GetProperty("paused").GetBoolean());
        Assert.Contains("HTTP 403", status.GetProperty("delivery").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("Delivery paused", page, StringComparison.Ordinal);
        Assert.Contains("HTTP 403 from the EHR", page, StringComparison.Ordinal);
    }
}
