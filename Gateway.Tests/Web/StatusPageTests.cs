using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Web;

public sealed class StatusPageTests
{
    private static string BaseUrl(InProcessGateway gateway) =>
        gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    [Fact]
    public async Task Shows_the_counts_and_the_latest_rejected_message_with_its_reason()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        var pipeline = gateway.Services.GetRequiredService<IngestPipeline>();
        await pipeline.SubmitAsync(Some.MqttMessage("vitals/scale-1/body-weight", Encoding.UTF8.GetBytes("""{"value": 900, "unit": "kg"}"""), DateTimeOffset.UtcNow), default);
        using var http = new HttpClient();

        var status = await http.GetFromJsonAsync<JsonElement>($"{BaseUrl(gateway)}/api/status");
        var page = await http.GetStringAsync($"{BaseUrl(gateway)}/");

        Assert.Equal(1, status.GetProperty("outbox").GetProperty("rejected").GetInt64());
        Assert.Equal(1, status.GetProperty("sinceStart").GetProperty("rejected").GetInt64());
        Assert.Contains("vitals/scale-1/body-weight", page, StringComparison.Ordinal);
        Assert.Contains("outside the plausible range", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shows_why_delivery_is_paused_for_a_configuration_fault()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        var health = gateway.Services.GetRequiredService<DeliveryHealth>();
        using var http = new HttpClient();

        var before = await http.GetFromJsonAsync<JsonElement>($"{BaseUrl(gateway)}/api/status");
        Assert.False(before.GetProperty("delivery").GetProperty("paused").GetBoolean());

        health.Pause("HTTP 403 from the EHR on POST [base]: check Ehr:BaseUrl and Ehr:Auth", DateTimeOffset.UtcNow);
        var status = await http.GetFromJsonAsync<JsonElement>($"{BaseUrl(gateway)}/api/status");
        var page = await http.GetStringAsync($"{BaseUrl(gateway)}/");

        Assert.True(status.GetProperty("delivery").GetProperty("paused").GetBoolean());
        Assert.Contains("HTTP 403", status.GetProperty("delivery").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("Delivery paused", page, StringComparison.Ordinal);
        Assert.Contains("HTTP 403 from the EHR", page, StringComparison.Ordinal);
    }
}
