using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Vitals.Gateway.Ingest.Mqtt;

namespace Vitals.Gateway.Web.Health;

/// <summary>Readiness: the embedded broker listens (Mqtt:Mode=Embedded), or the client is connected to the external one.</summary>
internal sealed class BrokerHealthCheck(IEnumerable<IHostedService> hosted, MqttFrontDoor frontDoor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var services = hosted.ToList();
        var result = services.OfType<EmbeddedBroker>().FirstOrDefault() is { } broker
            ? broker.IsListening
                ? HealthCheckResult.Healthy($"embedded broker listening on {frontDoor.Endpoints}; {frontDoor.OpenConnections} connection(s)")
                : HealthCheckResult.Unhealthy("the embedded broker is not listening")
            : services.OfType<ExternalBrokerClient>().FirstOrDefault() is { } client
                ? client.IsConnected
                    ? HealthCheckResult.Healthy("connected to the external broker")
                    : HealthCheckResult.Unhealthy("not connected to the external broker (see the log for why)")
                : HealthCheckResult.Unhealthy("no MQTT source is running");
        return Task.FromResult(result);
    }
}
