using MQTTnet.Formatter;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Ingest.Mqtt;

/// <summary>
/// Mqtt:CredentialIterations is chosen for this: a fleet reconnecting at once after a gateway restart. Timed, so it runs
/// alone (the end-to-end collection) rather than beside the other tests on 2 cores.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class BrokerFleetTests
{
    [Fact]
    public async Task A_thousand_devices_with_credentials_connect_within_10_seconds()
    {
        await using var gateway = await InProcessGateway.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Mqtt:Authentication"] = "Required",
            // A clinic's sizing (README "Sizing the embedded broker for a clinic"); a home hub's default is 100.
            ["Mqtt:Limits:MaxConnections"] = "1100",
            ["Storage:Synchronous"] = "Normal",
        });
        // One secret for all: each CONNECT still costs one full verification at the default iteration count.
        var secret = "fleet-secret";
        var hash = Vitals.Gateway.Ingest.Mqtt.MosquittoPasswordHash.Create(secret, Vitals.Gateway.Ingest.Mqtt.MqttOptions.DefaultCredentialIterations).ToString();
        var devices = new List<(string User, string Password)>();
        for (var i = 0; i < 1000; i++)
        {
            await gateway.Store.Credentials.SetAsync($"fleet-{i:0000}", hash, DateTimeOffset.UtcNow, default);
            devices.Add(($"fleet-{i:0000}", secret));
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var clients = await Task.WhenAll(devices.Select(d =>
            MqttClients.ConnectAsync(gateway.MqttPort, MqttProtocolVersion.V500, "c-" + d.User, d)));
        clock.Stop();
        foreach (var c in clients) c.Dispose();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"1,000 authenticated CONNECTs took {clock.Elapsed}");
    }
}
