using System.Globalization;
using System.Text.Json;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.EndToEnd;

/// <summary>
/// Bluetooth LE end to end with real parts only: the BLE simulator serving org.bluez on a private dbus-daemon (it is
/// bluetoothd for the gateway) -> the gateway executable (Ble:Enabled, BlueZ client, SQLite) -> the sandbox FHIR
/// server. Devices are paired and bound with the CLI, as an operator would.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class BleToEhrTests
{
    private const string Thermometer = "C0:FF:EE:00:00:01";
    private const string Cuff = "C0:FF:EE:00:00:02";
    private const string Scale = "C0:FF:EE:00:00:03";
    private const string Respiration = "C0:FF:EE:00:00:04";
    private static readonly string[] Devices = [Thermometer, Cuff, Scale, Respiration];
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task Readings_of_all_four_kinds_arrive_once_valid_on_their_patient_at_their_true_time()
    {
        await using var rig = await Rig.StartAsync();

        var taken = new List<BleSimulatedReading>();
        // Readings of one device a little over a second apart: GATT time stamps have whole seconds.
        for (var round = 0; round < 2; round++)
        {
            foreach (var device in Devices) taken.Add(await rig.Simulator.TakeReadingAsync(device));
            await Task.Delay(1100);
        }
        Assert.All(taken, r => Assert.Equal("indicated", r.Delivered));

        var contents = await rig.WaitForObservationsAsync(taken);
        contents.AssertNoDuplicates();
        contents.AssertSubjects(rig.PatientByDevice);
        contents.AssertValid();
        AssertAtTrueTimes(contents, taken);
        var status = await rig.Gateway.StatusAsync();
        Assert.Equal(0, status.GetProperty("outbox").GetProperty("rejected").GetInt64());
        var thermometer = status.GetProperty("ble").EnumerateArray().Single(d => d.GetProperty("address").GetString() == Thermometer);
        Assert.InRange(thermometer.GetProperty("clockOffsetSeconds").GetDouble(), 7 * 60 - 2, 7 * 60 + 2);
        using var http = new HttpClient();
        var page = await http.GetStringAsync(rig.Gateway.WebUrl + "/");
        // Each device's row on the status page says its Bluetooth link is up.
        Assert.All(Devices, d => Assert.Matches($"<tr><th scope=\"row\">{System.Text.RegularExpressions.Regex.Escape(d)}</th>(?:(?!</tr>).)*<td>connected</td>", page));
        await AssertDevicesDescribedAsync(rig);
    }

    /// <summary>
    /// The measuring Devices carry what each device's Device Information Service said (PHD IG PhdDevice), and the
    /// gateway itself is one Device (PhgDevice) under its generated EUI-64, which every Observation's
    /// observation-gatewayDevice extension names.
    /// </summary>
    private static async Task AssertDevicesDescribedAsync(Rig rig)
    {
        var devices = await rig.Ehr.SearchAllAsync("Device");
        var cuff = devices.Single(d => d.GetProperty("identifier")[0].GetProperty("value").GetString() == Cuff.Replace(':', '-'));
        Assert.Equal("Vitals Simulated Devices", cuff.GetProperty("manufacturer").GetString());
        Assert.Equal("VS-BP330", cuff.GetProperty("modelNumber").GetString());
        Assert.Equal("BP000002", cuff.GetProperty("serialNumber").GetString());
        Assert.Equal("C0-FF-EE-FF-FE-00-00-02", cuff.GetProperty("identifier")[1].GetProperty("value").GetString());
        var gateways = devices.Where(d => d.GetProperty("type").GetProperty("coding")[0].GetProperty("code").GetString() == "531981").ToList();
        var phg = Assert.Single(gateways);
        var phgId = phg.GetProperty("identifier")[0];
        Assert.Equal("urn:oid:1.2.840.10004.1.1.1.0.0.1.0.0.1.2680", phgId.GetProperty("system").GetString());
        Assert.Matches("^[0-9A-F]{2}(-[0-9A-F]{2}){7}$", phgId.GetProperty("value").GetString());
        foreach (var observation in await rig.Ehr.SearchAllAsync("Observation"))
        {
            var gateway = observation.GetProperty("extension").EnumerateArray()
                .Single(e => e.GetProperty("url").GetString() == "http://hl7.org/fhir/StructureDefinition/observation-gatewayDevice");
            Assert.Equal(phgId.GetProperty("value").GetString(), gateway.GetProperty("valueReference").GetProperty("identifier").GetProperty("value").GetString());
        }
    }

    /// <summary>
    /// The thermometer's clock runs 7 minutes fast (the simulator's Current Time, read-only): the gateway corrects its
    /// readings and the EHR holds the PHD IG's Coincident Time Stamp of that measurement, which the corrected
    /// Observation names by derivedFrom; the PHG Device; and, with <c>Fhir:Provenance</c>, the Provenance of the
    /// delivery naming the Observation and the gateway.
    /// </summary>
    [Fact]
    public async Task A_skewed_clock_leaves_a_coincident_time_stamp_the_gateway_Device_and_the_Provenance_in_the_EHR()
    {
        await using var rig = await Rig.StartAsync(new Dictionary<string, string?> { ["Fhir:Provenance"] = "true" });

        var taken = await rig.Simulator.TakeReadingAsync(Thermometer);
        var contents = await rig.WaitForObservationsAsync([taken]);

        var observation = Assert.Single(contents.Observations, o => DeviceOf(contents, o) == Thermometer);
        var cts = Assert.Single(contents.CoincidentTimeStamps, c => contents.DeviceIdByServerId[c.GetProperty("device").GetProperty("reference").GetString()!] == Thermometer.Replace(':', '-'));
        var gatewayTime = DateTimeOffset.Parse(cts.GetProperty("effectiveDateTime").GetString()!, CultureInfo.InvariantCulture);
        var deviceTime = DateTimeOffset.Parse(cts.GetProperty("valueDateTime").GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange((deviceTime - gatewayTime).TotalSeconds, 7 * 60 - 2, 7 * 60 + 2);
        Assert.Equal(
            cts.GetProperty("identifier")[0].GetProperty("value").GetString(),
            observation.GetProperty("derivedFrom")[0].GetProperty("identifier").GetProperty("value").GetString());

        var phg = Assert.Single(await rig.Ehr.SearchAllAsync("Device"), d => d.GetProperty("type").GetProperty("coding")[0].GetProperty("code").GetString() == "531981");
        var phgId = phg.GetProperty("identifier")[0].GetProperty("value").GetString();
        var observationReference = "Observation/" + observation.GetProperty("id").GetString();
        var provenance = Assert.Single(await rig.Ehr.SearchAllAsync("Provenance"),
            p => p.GetProperty("target").EnumerateArray().Any(t => t.GetProperty("reference").GetString() == observationReference));
        var who = Assert.Single(provenance.GetProperty("agent").EnumerateArray()).GetProperty("who");
        Assert.Equal(phgId, who.GetProperty("identifier").GetProperty("value").GetString());
        Assert.Equal("Device/" + phg.GetProperty("id").GetString(), who.GetProperty("reference").GetString());
    }

    [Fact]
    public async Task Readings_stored_while_disconnected_arrive_after_the_reconnect_none_lost_none_twice()
    {
        await using var rig = await Rig.StartAsync();
        var taken = new List<BleSimulatedReading>();
        foreach (var device in Devices)
        {
            var stored = await rig.Simulator.StoreAsync(device, 3);
            Assert.All(stored, r => Assert.Equal("stored", r.Delivered));
            taken.AddRange(stored);
        }

        var contents = await rig.WaitForObservationsAsync(taken);
        contents.AssertNoDuplicates();
        contents.AssertSubjects(rig.PatientByDevice);
        AssertAtTrueTimes(contents, taken);
        // GHS records were deleted on the device only after they were durable; classic devices forget on confirmation.
        await Eventually.TrueAsync(async () => (await rig.Simulator.GetDevicesAsync()).All(d => d.Stored == 0), Patience, "every stored reading transferred", Poll);

        // Another drop and reconnect: nothing is filed twice, the store recognises anything sent again.
        await rig.Simulator.DisconnectAsync(Respiration);
        await rig.WaitForConnectedAsync();
        await Task.Delay(2000);
        var again = await EhrContents.ReadAsync(rig.Ehr);
        Assert.Equal(contents.Observations.Count, again.Observations.Count);
        again.AssertNoDuplicates();
    }

    [Fact]
    public async Task The_gateway_recovers_from_a_bluetoothd_restart_without_restarting()
    {
        await using var rig = await Rig.StartAsync();
        var before = await rig.Simulator.TakeReadingAsync(Thermometer);

        await rig.Simulator.RestartBluetoothdAsync();
        await Task.Delay(1500);
        await rig.WaitForConnectedAsync();

        var taken = new List<BleSimulatedReading> { before };
        foreach (var device in Devices) taken.Add(await rig.Simulator.TakeReadingAsync(device));
        Assert.All(taken, r => Assert.Equal("indicated", r.Delivered));
        var contents = await rig.WaitForObservationsAsync(taken);
        contents.AssertNoDuplicates();
        contents.AssertSubjects(rig.PatientByDevice);
        Assert.False(rig.Gateway.Process.HasExited);
        Assert.Equal(1, rig.Gateway.Process.StandardOutputLines.Count(l => l.Contains("Bluetooth LE ingest started", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_malformed_value_is_rejected_naming_the_characteristic_and_the_byte_and_kept()
    {
        await using var rig = await Rig.StartAsync();

        var hex = await rig.Simulator.MalformedAsync(Thermometer);

        await Eventually.TrueAsync(async () => (await rig.Gateway.StatusAsync()).GetProperty("outbox").GetProperty("rejected").GetInt64() == 1, Patience, "one rejected message", Poll);
        var (exit, output) = await rig.Gateway.CliAsync("rejected", "list", "--payload");
        Assert.Equal(0, exit);
        Assert.Contains($"ble {Thermometer} 0x2A1C", output, StringComparison.Ordinal);
        Assert.Matches("0x2A1C byte [0-9]+", output);
        Assert.Contains(hex.Replace(" ", "", StringComparison.Ordinal), output.Replace(" ", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        // The session goes on: the next reading arrives.
        var next = await rig.Simulator.TakeReadingAsync(Thermometer);
        await rig.WaitForObservationsAsync([next]);
    }

    /// <summary>The device's address: the EHR's Device identifier is the EUI-48 form with dashes (docs/fhir.md).</summary>
    private static string DeviceOf(EhrContents contents, JsonElement observation) =>
        contents.DeviceIdByServerId[observation.GetProperty("device").GetProperty("reference").GetString()!].Replace('-', ':');

    /// <summary>Every Observation's effective time lies within 2 s of its device's true takenAt (clock skew corrected).</summary>
    private static void AssertAtTrueTimes(EhrContents contents, IReadOnlyList<BleSimulatedReading> taken)
    {
        foreach (var o in contents.Observations)
        {
            var device = DeviceOf(contents, o);
            var effective = DateTimeOffset.Parse(o.GetProperty("effectiveDateTime").GetString()!, CultureInfo.InvariantCulture);
            var nearest = taken.Where(r => r.Address == device).Min(r => (r.TakenAt - effective).Duration());
            Assert.True(nearest <= TimeSpan.FromSeconds(2), $"{device}: effective {effective:O} is {nearest} from every true takenAt");
        }
        foreach (var reading in taken)
        {
            Assert.Contains(contents.Observations, o =>
                DeviceOf(contents, o) == reading.Address
                && (DateTimeOffset.Parse(o.GetProperty("effectiveDateTime").GetString()!, CultureInfo.InvariantCulture) - reading.TakenAt).Duration() <= TimeSpan.FromSeconds(2));
        }
    }

    private sealed class Rig : IAsyncDisposable
    {
        private Rig(DBusDaemon bus, BleSimulatorProcess simulator, SandboxEhrProcess ehr, GatewayProcess gateway, Dictionary<string, string> patients)
        {
            Bus = bus;
            Simulator = simulator;
            Ehr = ehr;
            Gateway = gateway;
            PatientByDevice = patients;
        }

        public DBusDaemon Bus { get; }
        public BleSimulatorProcess Simulator { get; }
        public SandboxEhrProcess Ehr { get; }
        public GatewayProcess Gateway { get; }
        public Dictionary<string, string> PatientByDevice { get; }

        public static async Task<Rig> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
        {
            var bus = await DBusDaemon.StartAsync();
            BleSimulatorProcess? simulator = null;
            SandboxEhrProcess? ehr = null;
            GatewayProcess? gateway = null;
            try
            {
                simulator = await BleSimulatorProcess.StartAsync(bus.Address);
                ehr = await SandboxEhrProcess.StartAsync();
                gateway = await GatewayProcess.StartAsync(ehr.BaseUrlText, new Dictionary<string, string?>
                {
                    ["Ble:Enabled"] = "true",
                    ["Ble:DBusAddress"] = bus.Address,
                    ["Ble:BindingPollInterval"] = "00:00:00.5",
                    ["Ble:ReconnectBaseDelay"] = "00:00:00.2",
                    ["Ble:ReconnectMaxDelay"] = "00:00:02",
                    ["Ingest:TimeZone"] = "UTC",
                    ["TZ"] = "UTC",
                }.Concat(settings ?? new Dictionary<string, string?>()).ToDictionary());
                var patients = new Dictionary<string, string>();
                for (var i = 0; i < Devices.Length; i++)
                {
                    var (exit, output) = await gateway.CliAsync("devices", "pair", Devices[i], "--passkey", "123456");
                    Assert.True(exit == 0, output);
                    Assert.DoesNotContain("123456", output, StringComparison.Ordinal);
                    var patient = $"Patient/ble-{i + 1}";
                    (exit, output) = await gateway.CliAsync("devices", "bind", "--device", Devices[i], "--patient", patient);
                    Assert.True(exit == 0, output);
                    patients[Devices[i]] = patient;
                    // How the EHR's Device identifier spells the address (EUI-48 with dashes).
                    patients[Devices[i].Replace(':', '-')] = patient;
                }
                var rig = new Rig(bus, simulator, ehr, gateway, patients);
                await rig.WaitForConnectedAsync();
                return rig;
            }
            catch
            {
                if (gateway is not null) await gateway.DisposeAsync();
                if (ehr is not null) await ehr.DisposeAsync();
                if (simulator is not null) await simulator.DisposeAsync();
                await bus.DisposeAsync();
                throw;
            }
        }

        /// <summary>All four devices paired, connected, and (after a settle) set up by the gateway.</summary>
        public async Task WaitForConnectedAsync()
        {
            await Eventually.TrueAsync(async () =>
            {
                var devices = await Simulator.GetDevicesAsync();
                var status = await Gateway.StatusAsync();
                var ble = status.GetProperty("ble").EnumerateArray().ToList();
                return devices.Count(d => Devices.Contains(d.Address) && d.Connected && d.Paired) == Devices.Length
                       && ble.Count(d => d.GetProperty("connected").GetBoolean()) == Devices.Length;
            }, Patience, "all four devices paired and connected", Poll);
        }

        /// <summary>Waits until the EHR holds an Observation at each reading's true time (and the outbox is empty).</summary>
        public async Task<EhrContents> WaitForObservationsAsync(IReadOnlyList<BleSimulatedReading> readings)
        {
            EhrContents? contents = null;
            await Eventually.TrueAsync(async () =>
            {
                var outbox = (await Gateway.StatusAsync()).GetProperty("outbox");
                if (outbox.GetProperty("pending").GetInt64() != 0) return false;
                contents = await EhrContents.ReadAsync(Ehr);
                return readings.All(r => contents.Observations.Any(o =>
                    DeviceOf(contents, o) == r.Address
                    && (DateTimeOffset.Parse(o.GetProperty("effectiveDateTime").GetString()!, CultureInfo.InvariantCulture) - r.TakenAt).Duration() <= TimeSpan.FromSeconds(2)));
            }, Patience, "an Observation at each reading's true time", Poll);
            return contents!;
        }

        public async ValueTask DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await Ehr.DisposeAsync();
            await Simulator.DisposeAsync();
            await Bus.DisposeAsync();
        }
    }
}
