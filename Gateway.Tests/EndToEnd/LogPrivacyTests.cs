using System.Globalization;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Tests.Ingest.Mqtt;

namespace Vitals.Gateway.Tests.EndToEnd;

/// <summary>
/// The gateway executable at its shipped log level (Information, appsettings.json) through a run that touches every
/// stage where a patient or a value could leak into a log line: enrolment against the EHR, readings delivered,
/// quarantined, rejected for an implausible value and refused by the EHR, and the status page. Its whole log is then
/// searched for the patients' identifiers and names and for every measured value sent.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class LogPrivacyTests
{
    [Fact]
    public async Task No_patient_identifier_name_or_measured_value_appears_in_the_log_at_Information()
    {
        await using var ehr = await SandboxEhrProcess.StartAsync();
        var patient = await SandboxPatients.CreateAsync(ehr, "Philippa", "Privacyfield", "1961-07-19", identifier: "MRN-558213");
        await using var gateway = await GatewayProcess.StartAsync(ehr.BaseUrlText);
        var taken = DateTimeOffset.UtcNow.AddMinutes(-5);
        string Time(int minutes) => taken.AddMinutes(minutes).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

        var (exit, output) = await gateway.CliAsync("devices", "bind", "--device", "thermo-priv", "--patient", $"Patient/{patient}",
            "--from", taken.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        Assert.True(exit == 0, output);
        // A patient the EHR refuses, its answer quoting the reference as HAPI FHIR's does: a dead letter with its reason.
        await ehr.RefuseAsync("Observation", "ghost-4471", "Resource Patient/ghost-4471 not found, specified in path: Observation.subject");
        (exit, output) = await gateway.CliAsync("devices", "bind", "--device", "scale-priv", "--patient", "Patient/ghost-4471",
            "--from", taken.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        Assert.True(exit == 0, output);
        (exit, output) = await gateway.CliAsync("patients", "enrol", "--patient", "https://clinic.example/mrn|MRN-558213");
        Assert.True(exit == 0, output);

        Assert.Equal(0, await MqttClients.MosquittoPubAsync(gateway.MqttPort, "mqttv311", "vitals/thermo-priv/body-temperature",
            $$"""{"value": 38.17, "unit": "Cel", "time": "{{Time(0)}}", "id": 1}""", 1));
        Assert.Equal(0, await MqttClients.MosquittoPubAsync(gateway.MqttPort, "mqttv311", "vitals/thermo-priv/body-temperature",
            $$"""{"value": 47.93, "unit": "Cel", "time": "{{Time(1)}}", "id": 2}""", 1));
        Assert.Equal(0, await MqttClients.MosquittoPubAsync(gateway.MqttPort, "mqttv311", "vitals/thermo-unbound/body-temperature",
            $$"""{"value": 36.83, "unit": "Cel", "time": "{{Time(2)}}", "id": 3}""", 1));
        Assert.Equal(0, await MqttClients.MosquittoPubAsync(gateway.MqttPort, "mqttv311", "vitals/scale-priv/body-weight",
            $$"""{"value": 81.66, "unit": "kg", "time": "{{Time(3)}}", "id": 4}""", 1));

        await Eventually.TrueAsync(async () =>
        {
            var outbox = (await gateway.StatusAsync()).GetProperty("outbox");
            return outbox.GetProperty("delivered").GetInt64() == 1 && outbox.GetProperty("deadLetters").GetInt64() == 1
                   && outbox.GetProperty("rejected").GetInt64() == 1;
        }, TimeSpan.FromSeconds(60), "one delivered, one dead letter, one rejected", TimeSpan.FromMilliseconds(200));
        using (var http = new HttpClient())
        {
            Assert.Contains("thermo-priv", await http.GetStringAsync(gateway.WebUrl + "/"), StringComparison.Ordinal);
        }
        await gateway.Process.DisposeAsync();

        var log = string.Join('\n', gateway.Process.StandardOutputLines) + "\n" + gateway.Process.StandardErrorTail;
        // The log is the real one: the rejection is there, by topic and field, without its value.
        Assert.Matches("Rejected message on mqtt vitals/thermo-priv/body-temperature from client .* at \\$\\.value", log);
        foreach (var secret in new[] { patient, "ghost-4471", "MRN-558213", "Philippa", "Privacyfield", "1961-07-19", "38.17", "47.93", "36.83", "81.66" })
            Assert.False(log.Contains(secret, StringComparison.Ordinal), $"the log at Information shows '{secret}':\n{Lines(log, secret)}");
    }

    private static string Lines(string log, string secret) =>
        string.Join('\n', log.Split('\n').Where(l => l.Contains(secret, StringComparison.Ordinal)).Take(5));
}
