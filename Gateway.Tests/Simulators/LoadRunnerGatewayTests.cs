using Vitals.Gateway.Patients;
using Vitals.Gateway.Tests.Delivery;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Simulators.DeviceSimulator;

namespace Vitals.Gateway.Tests.Simulators;

/// <summary>
/// The load verb against the gateway it measures (embedded broker, SQLite store, an EHR): its second stage, committed
/// -> EHR acknowledged, must find every reading the gateway delivered in the store, whatever form the gateway gives its
/// identity keys. (It once found none, silently, after the keys changed.)
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class LoadRunnerGatewayTests
{
    [Fact]
    public async Task Every_reading_the_gateway_delivered_is_timed_from_its_PUBACK_to_its_delivery()
    {
        await using var ehr = await ScriptedFhirServer.StartAsync();
        await using var gateway = await InProcessGateway.StartAsync(ehr.BaseUrl, new Dictionary<string, string?> { ["Ehr:Profile"] = "fhir-conditional" });
        foreach (var device in new[] { "sim-body-weight-0001", "sim-body-weight-0002" })
            await gateway.Store.Bindings.BindAsync(device, null, PatientId.Parse("Patient/p1"), Some.BoundLongAgo, default);
        string[] args =
        [
            "--port", gateway.MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--kinds", "body-weight", "--devices", "2",
            "--rate", "20", "--duration", "2", "--sample-every", "1", "--drain", "30", "--store", gateway.StorePath,
            "--gateway-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ];
        Assert.True(LoadOptions.TryParse(args, out var options, out var error), error);

        var report = await new LoadRunner(options, TimeProvider.System, TextWriter.Null, new LoadProgress(TextWriter.Null, false, TimeSpan.FromSeconds(1)))
            .RunAsync(CancellationToken.None);

        Assert.True(report.Acked >= 30, $"acknowledged {report.Acked}");
        Assert.NotNull(report.CommittedToEhrMs);
        Assert.Equal((report.Acked, 0L), ((long)report.CommittedToEhrMs.Samples, report.Undelivered!.Value));
        Assert.InRange(report.CommittedToEhrMs.P50, 0, 30_000);
    }
}
