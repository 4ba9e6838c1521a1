using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.EndToEnd;

/// <summary>
/// Real parts only: the device simulator (MQTT, QoS 1) -> the gateway executable (embedded broker, SQLite) -> the
/// sandbox FHIR server (Medplum, validating). Then the EHR is searched like a clinician's system would.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class SimulatorToEhrTests
{
    [Fact]
    public async Task Every_simulated_reading_reaches_the_EHR_once_on_its_patient_and_valid()
    {
        await using var ehr = await SandboxEhrProcess.StartAsync();
        await using var gateway = await GatewayProcess.StartAsync(ehr.BaseUrlText);
        string[] fleet = ["--devices", "2", "--seed", "7"];
        var patientByDevice = await BindAllAsync(gateway, fleet);

        await using var simulator = DeviceSimulatorProcess.Start(gateway.MqttPort, [.. fleet, "--count", "300", "--rate", "150", "--malformed", "0.1"]);
        var report = await DeviceSimulatorProcess.ReportAsync(simulator, TimeSpan.FromMinutes(2));

        Assert.Equal(0, report.GetProperty("failed").GetInt64());
        var malformed = report.GetProperty("malformedSent").GetInt64();
        Assert.True(malformed > 0, "the run should include malformed messages");
        Assert.Equal(malformed, report.GetProperty("rejected").GetInt64());
        var good = report.GetProperty("acked").GetInt64();
        Assert.Equal(300, good + malformed);

        var outbox = await gateway.WaitForEmptyOutboxAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(0, outbox.GetProperty("pending").GetInt64());
        Assert.Equal(good, outbox.GetProperty("delivered").GetInt64());
        Assert.Equal(0, outbox.GetProperty("deadLetters").GetInt64());
        Assert.Equal(malformed, outbox.GetProperty("rejected").GetInt64());

        var contents = await EhrContents.ReadAsync(ehr);
        Assert.Equal(EhrContents.DeliveredObservations(gateway.StorePath), contents.Observations.Count);
        contents.AssertNoDuplicates();
        contents.AssertSubjects(patientByDevice);
        contents.AssertValid();
    }

    [Fact]
    public async Task Raw_GATT_values_from_a_BLE_to_MQTT_bridge_reach_the_EHR_once_on_their_patient_and_valid()
    {
        await using var ehr = await SandboxEhrProcess.StartAsync();
        await using var gateway = await GatewayProcess.StartAsync(ehr.BaseUrlText);
        // Every kind whose characteristic carries a time stamp. Heart Rate 0x2A37 has none: its readings are told apart
        // by value within the minute of receipt (identity scheme 2, README "Resends and identifiers"), so two equal pulses in one minute
        // are rightly one reading, and this count could not be exact.
        string[] fleet = ["--devices", "1", "--seed", "9", "--id-prefix", "ble",
            "--kinds", "blood-pressure,body-temperature,body-weight,oxygen-saturation,respiratory-rate"];
        var patientByDevice = await BindAllAsync(gateway, fleet);

        // A GATT time stamp has whole seconds and these characteristics no record number, so two readings of one device
        // in one second with the same value are one measurement (identity scheme 2): 5 devices at 2 readings/s in all
        // is one reading per device every 2.5 s, room enough for a simulator the machine's load delays now and then.
        await using var simulator = DeviceSimulatorProcess.Start(gateway.MqttPort, [.. fleet, "--count", "30", "--rate", "2", "--gatt"]);
        var report = await DeviceSimulatorProcess.ReportAsync(simulator, TimeSpan.FromMinutes(2));
        Assert.Equal(30, report.GetProperty("acked").GetInt64());

        var outbox = await gateway.WaitForEmptyOutboxAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(30, outbox.GetProperty("delivered").GetInt64());
        Assert.Equal(0, outbox.GetProperty("rejected").GetInt64());
        var contents = await EhrContents.ReadAsync(ehr);
        Assert.Equal(EhrContents.DeliveredObservations(gateway.StorePath), contents.Observations.Count);
        contents.AssertNoDuplicates();
        contents.AssertSubjects(patientByDevice);
        contents.AssertValid();
    }

    /// <summary>Binds every simulated device to its own patient with the CLI, as an operator would.</summary>
    internal static async Task<Dictionary<string, string>> BindAllAsync(GatewayProcess gateway, string[] fleet)
    {
        var patients = new Dictionary<string, string>();
        var ids = await DeviceSimulatorProcess.DeviceIdsAsync(fleet);
        Assert.NotEmpty(ids);
        for (var i = 0; i < ids.Count; i++)
        {
            var patient = $"Patient/e2e-{i + 1}";
            var (exit, output) = await gateway.CliAsync("devices", "bind", "--device", ids[i], "--patient", patient);
            Assert.True(exit == 0, output);
            patients[ids[i]] = patient;
        }
        return patients;
    }
}
