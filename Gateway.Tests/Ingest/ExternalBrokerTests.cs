using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Vitals.Gateway.Binding;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Ingest;

/// <summary>Mqtt:Mode=External against Debian's mosquitto, with mosquitto_pub as the publisher.</summary>
public sealed class ExternalBrokerTests
{
    private static Dictionary<string, string?> External(MosquittoBroker broker, string clientId, string? user = null, string? password = null) => new()
    {
        ["Mqtt:Mode"] = "External",
        ["Mqtt:Port"] = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Mqtt:ClientId"] = clientId,
        ["Mqtt:Username"] = user,
        ["Mqtt:Password"] = password,
    };

    private static async Task WaitConnectedAsync(InProcessGateway gateway) =>
        await gateway.Services.GetServices<IHostedService>().OfType<ExternalBrokerClient>().Single().Connected.WaitAsync(TimeSpan.FromSeconds(20));

    private static async Task<OutboxStatus> WaitForAsync(IGatewayStore store, Func<OutboxStatus, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var s = await store.GetOutboxStatusAsync(default);
            if (done(s) || DateTime.UtcNow > deadline) return s;
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Readings_published_with_mosquitto_pub_are_committed_and_bad_ones_rejected()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var gateway = await InProcessGateway.StartAsync(settings: External(broker, "gw-ext-1"));
        await gateway.Store.BindAsync("cuff-7", PatientId.Parse("Patient/p7"), DateTimeOffset.UtcNow, default);
        await WaitConnectedAsync(gateway);

        await broker.PublishAsync("vitals/cuff-7/blood-pressure", """{"systolic": 16.9, "diastolic": 10.8, "unit": "kPa", "time": "2026-11-25T08:30:00+01:00", "id": 1}""");
        await broker.PublishAsync("vitals/cuff-7/blood-pressure", """{"systolic": "high"}""");

        var status = await WaitForAsync(gateway.Store, s => s.Pending + s.Delivered == 1 && s.Rejected == 1);
        Assert.Equal(1, status.Pending + status.Delivered);
        Assert.Equal(1, status.Rejected);
    }

    [Fact]
    public async Task Messages_published_while_the_gateway_is_down_arrive_from_its_persistent_session()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var settings = External(broker, "gw-ext-persist");
        var storePath = Path.Combine(Path.GetTempPath(), "vg-persist-" + Guid.NewGuid().ToString("N")[..8] + ".db");
        settings["Storage:Path"] = storePath;
        await using (var first = await InProcessGateway.StartAsync(settings: settings))
        {
            await WaitConnectedAsync(first);
            await first.Store.BindAsync("resp-1", PatientId.Parse("Patient/p1"), DateTimeOffset.UtcNow, default);
        }

        // The gateway is down: the broker holds these for its session.
        for (var i = 1; i <= 5; i++)
            await broker.PublishAsync("vitals/resp-1/respiratory-rate", $$"""{"value": {{14 + i}}, "time": "2026-11-25T08:3{{i}}:00Z", "id": {{i}}}""");

        await using var second = await InProcessGateway.StartAsync(settings: settings);
        var status = await WaitForAsync(second.Store, s => s.Pending + s.Delivered == 5);
        Assert.Equal(5, status.Pending + status.Delivered);
    }

    [Fact]
    public async Task Credentials_are_used_to_connect()
    {
        await using var broker = await MosquittoBroker.StartAsync("gateway", "s3cret-pw");
        await using var gateway = await InProcessGateway.StartAsync(settings: External(broker, "gw-ext-auth", "gateway", "s3cret-pw"));
        await WaitConnectedAsync(gateway);

        await broker.PublishAsync("vitals/spo2-1/oxygen-saturation", """{"value": 97, "unit": "%", "time": "2026-11-25T08:30:00Z"}""", "gateway", "s3cret-pw");

        var status = await WaitForAsync(gateway.Store, s => s.Quarantined == 1);
        Assert.Equal(1, status.Quarantined);
    }
}
