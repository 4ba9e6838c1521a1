using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Vitals.Gateway.Ingest.Ble;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Tests.EndToEnd;
using Vitals.Gateway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Vitals.Gateway.Tests.Web;

/// <summary>
/// The issue's browser end to end with Bluetooth: a patient of the sandbox EHR enrols, sees the simulated cuff (the BLE
/// simulator serving org.bluez on a private dbus-daemon) appear among the nearby devices without a reload, taps it,
/// chooses user 2, types the passkey the page asks for (a wrong one first), takes a reading as user 2 and sees it
/// "sent to your care team"; the Observation is in the EHR on that Patient and that Device. A reading as user 1 on
/// the same cuff is quarantined. A device carried away leaves the nearby list. Each step leaves a screenshot and passes axe-core; the flow's time is recorded.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class BluetoothPairingBrowserTests(ITestOutputHelper output, SandboxEhrFixture sandbox) : IClassFixture<SandboxEhrFixture>
{
    private const string Cuff = "C0:FF:EE:00:00:02";
    private const string CuffItem = "#nearby-C0-FF-EE-00-00-02";
    private const string Scale = "C0:FF:EE:00:00:03";
    private const string ScaleItem = "#nearby-C0-FF-EE-00-00-03";

    [Fact]
    public async Task A_patient_pairs_the_nearby_cuff_as_user_2_with_its_passkey_and_sees_its_reading_sent_while_user_1s_is_quarantined()
    {
        var ehr = sandbox.Ehr;
        var id = await SandboxPatients.CreateAsync(ehr, "Mary", "Seacole-Test", "1955-11-23");
        var patient = PatientId.Parse($"Patient/{id}");
        await using var bus = await DBusDaemon.StartAsync();
        // Bluetooth on, but no bluetoothd yet: the cuff comes into sight while the patient looks at the page.
        await using var gateway = await InProcessGateway.StartAsync(ehr.BaseUrlText, new Dictionary<string, string?>
        {
            ["Ble:Enabled"] = "true",
            ["Ble:DBusAddress"] = bus.Address,
            ["Ble:BindingPollInterval"] = "00:00:00.5",
            ["Ble:ReconnectBaseDelay"] = "00:00:00.2",
            ["Ble:ReconnectMaxDelay"] = "00:00:02",
            ["Ingest:TimeZone"] = "UTC",
        });
        var code = await PairingBrowser.EnrolAsync(gateway, ehr, patient.Text);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await PairingBrowser.LaunchAsync(playwright);
        await using var context = await PairingBrowser.PhoneAsync(browser);
        var page = await context.NewPageAsync();
        var flow = Stopwatch.StartNew();
        await page.GotoAsync(gateway.WebUrl + "/pair");
        await page.FillAsync("#code", code);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/pair/confirm");
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, this is me" }).ClickAsync();
        await page.WaitForURLAsync("**/pair/devices");
        Assert.Contains("No health device found yet", await page.InnerTextAsync("#nearby"), StringComparison.Ordinal);
        await Check(page, "40-no-device-nearby-yet");
        var waitingForDevice = flow.Elapsed;

        await page.EvaluateAsync("() => { window.notReloaded = true; }");
        // BlueZ forgets a device it has not heard for TemporaryTimeout (30 s by default; 1 s here, for the scale below).
        await using var simulator = await BleSimulatorProcess.StartAsync(bus.Address, ["--temporary-timeout", "1"]);
        var sinceDevice = Stopwatch.StartNew();
        var cuff = page.Locator(CuffItem + " a");
        await cuff.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        Assert.Matches("^Blood pressure monitor “Vitals BP Monitor”, signal (strong|good|weak)$", await cuff.InnerTextAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the device appeared without a reload");
        // Only health devices: the four simulated devices all advertise a health service.
        Assert.Equal(4, await page.Locator("#nearby li a").CountAsync());
        await Check(page, "41-cuff-nearby");
        // The scale is carried away: once the gateway no longer hears it, it leaves the list, without a reload.
        await simulator.DisconnectAsync(Scale, TimeSpan.FromMinutes(5));
        await page.Locator(ScaleItem).WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached, Timeout = 15_000 });
        Assert.Equal(3, await page.Locator("#nearby li a").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the device left without a reload");
        // A page opened meanwhile learns from the stream's first event which devices are still heard.
        var opening = await page.EvaluateAsync<string>("""
            async () => {
              const reader = (await fetch('/pair/devices/nearby')).body.getReader();
              let text = '';
              while (!/event: present\ndata: [^\n]*\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
              await reader.cancel();
              return text;
            }
            """);
        var present = System.Text.RegularExpressions.Regex.Match(opening, "event: present\ndata: ([^\n]*)\n").Groups[1].Value.Split(' ');
        Assert.Equal(3, present.Length);
        Assert.Contains(CuffItem[1..], present);
        Assert.DoesNotContain(ScaleItem[1..], present);

        // Tap the cuff: its address fills the form; user 2; no passkey typed yet: the page asks for it.
        await cuff.ClickAsync();
        Assert.Equal(Cuff, await page.InputValueAsync("#address"));
        await page.CheckAsync("input[name=user][value=\"2\"]");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add this device" }).ClickAsync();
        await page.WaitForSelectorAsync("#pairing-passkey");
        await Check(page, "42-passkey-asked");
        await page.FillAsync("#pairing-passkey", "654321");
        await page.Keyboard.PressAsync("Enter");
        await PairingBrowser.ExpectProblemAsync(page, "That number did not match", "43-wrong-passkey", output);
        Assert.Contains("2 more tries", await page.InnerTextAsync("#problem"), StringComparison.Ordinal);
        Assert.DoesNotContain(await gateway.Store.Bindings.ListDevicesAsync(null, default), d => d.DeviceId == Cuff && d.Patient is not null);
        await page.FillAsync("#pairing-passkey", "123456");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("#done");
        Assert.Contains("Done: the device is paired and yours now", await page.InnerTextAsync("#done"), StringComparison.Ordinal);
        await Check(page, "44-cuff-paired");
        Assert.Equal(patient.Text, (await gateway.Store.Bindings.ListDevicesAsync(null, default)).Single(d => d.DeviceId == Cuff && d.User == 2).Patient!.Text);
        Assert.True((await simulator.GetDevicesAsync()).Single(d => d.Address == Cuff).Paired);

        // "Take a reading now", as user 2, once the gateway holds the link (as a cuff takes half a minute to measure):
        // the BP monitor's clock runs an hour slow until the gateway sets it, and a reading stamped before the binding
        // would rightly be quarantined. It appears on the page (not reloaded) once the EHR took it.
        var ble = gateway.Services.GetRequiredService<BleDeviceRegistry>();
        await Eventually.TrueAsync(() => ble.Get(Cuff) is { Connected: true, ClockOffset: not null }, TimeSpan.FromSeconds(30), "the gateway connected the cuff and read its clock");
        // Its time stamps have whole seconds (Date Time 0x2A08) and the gateway set its clock in whole seconds (Current
        // Time 0x2A2B): a reading within two seconds of the binding may be stamped before it, and rightly quarantined.
        var from = (await gateway.Store.Bindings.ListBindingsAsync(Cuff, default)).Single(b => b.User == 2 && b.To is null).From;
        var wait = from.AddSeconds(2.5) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        await page.EvaluateAsync("() => { window.notReloaded = true; }");
        var reading = await simulator.TakeReadingAsync(Cuff, user: 2);
        Assert.Equal(2, reading.User);
        var delivered = page.Locator("ul.readings li", new() { HasTextString = "sent to your care team at" });
        try
        {
            await delivered.WaitForAsync(new LocatorWaitForOptions { Timeout = 45_000 });
        }
        catch (TimeoutException)
        {
            var quarantined = await gateway.Store.Quarantine.ListQuarantineAsync(Cuff, 10, default);
            output.WriteLine($"bindings: {string.Join(", ", await gateway.Store.Bindings.ListBindingsAsync(Cuff, default))}; taken at {reading.TakenAt:O} device time {reading.DeviceTime}");
            output.WriteLine($"not delivered; quarantined: {string.Join(", ", quarantined.Select(q => $"user {q.Reading.UserId} at {q.Reading.EffectiveTime:O}"))}; cuff {ble.Get(Cuff)}; page: {await page.InnerTextAsync("main")}");
            throw;
        }
        var patientTime = waitingForDevice + sinceDevice.Elapsed;
        output.WriteLine($"patient's flow, code to \"sent to your care team\" (without waiting for the device to be switched on): {patientTime.TotalSeconds:0.0} s; whole browser flow {flow.Elapsed.TotalSeconds:0.0} s");
        Assert.True(patientTime < TimeSpan.FromMinutes(1), $"the flow took {patientTime}");
        var line = await delivered.InnerTextAsync();
        Assert.Matches(@"^Blood pressure (\d+) over (\d+), pulse \d+, on \d{1,2} \w+ at \d\d:\d\d: sent to your care team at \d\d:\d\d$", line);
        Assert.StartsWith($"Blood pressure {reading.Value("systolic"):0} over {reading.Value("diastolic"):0}", line, StringComparison.Ordinal);
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the reading arrived without a reload");
        await Check(page, "45-reading-sent");

        // In the EHR: the blood pressure (and its pulse, an Observation of its own), on that Patient and that Device.
        var contents = await EhrContents.ReadAsync(ehr);
        var theirs = contents.Observations.Where(o => o.GetProperty("subject").GetProperty("reference").GetString() == patient.Text).ToList();
        Assert.Single(theirs, o => o.GetRawText().Contains("\"85354-9\"", StringComparison.Ordinal));
        Assert.Equal(2, theirs.Count);
        Assert.All(theirs, o => Assert.Equal(Cuff.Replace(':', '-'), contents.DeviceIdByServerId[o.GetProperty("device").GetProperty("reference").GetString()!]));

        // User 1 on the same cuff is nobody's here: quarantined, never sent, never on this patient's page.
        var other = await simulator.TakeReadingAsync(Cuff, user: 1);
        await Eventually.TrueAsync(async () => (await gateway.Store.Quarantine.ListQuarantineAsync(Cuff, 10, default)).Any(q => q.Reading.UserId == 1),
            TimeSpan.FromSeconds(30), "user 1's reading quarantined", TimeSpan.FromMilliseconds(200));
        await Task.Delay(1500);
        var after = await EhrContents.ReadAsync(ehr);
        Assert.Equal(theirs.Count, after.Observations.Count(o => after.DeviceIdByServerId[o.GetProperty("device").GetProperty("reference").GetString()!] == Cuff.Replace(':', '-')));
        Assert.Equal(1, await page.Locator("ul.readings li").CountAsync());
        Assert.Equal(1, other.User);
    }

    [Fact]
    public async Task Three_wrong_passkeys_forget_the_device_and_a_device_gone_mid_pairing_is_said_so_and_neither_is_bound()
    {
        const string Thermometer = "C0:FF:EE:00:00:01";
        var ehr = sandbox.Ehr;
        var id = await SandboxPatients.CreateAsync(ehr, "Florence", "Nightingale-Test", "1950-05-12");
        await using var bus = await DBusDaemon.StartAsync();
        await using var simulator = await BleSimulatorProcess.StartAsync(bus.Address);
        await using var gateway = await InProcessGateway.StartAsync(ehr.BaseUrlText, new Dictionary<string, string?>
        {
            ["Ble:Enabled"] = "true",
            ["Ble:DBusAddress"] = bus.Address,
            ["Ble:BindingPollInterval"] = "00:00:00.5",
        });
        var code = await PairingBrowser.EnrolAsync(gateway, ehr, $"Patient/{id}");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await PairingBrowser.LaunchAsync(playwright);
        await using var context = await PairingBrowser.PhoneAsync(browser);
        var page = await context.NewPageAsync();
        await page.GotoAsync(gateway.WebUrl + "/pair");
        await page.FillAsync("#code", code);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/pair/confirm");
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, this is me" }).ClickAsync();
        await page.WaitForURLAsync("**/pair/devices");

        await TapAndAddAsync(page, "#nearby-C0-FF-EE-00-00-01 a", "none");
        foreach (var (wrong, left) in new[] { ("111111", "2 more tries"), ("222222", "1 more try") })
        {
            await page.FillAsync("#pairing-passkey", wrong);
            await page.Keyboard.PressAsync("Enter");
            await page.WaitForSelectorAsync("#problem");
            Assert.Contains(left, await page.InnerTextAsync("#problem"), StringComparison.Ordinal);
        }
        await page.FillAsync("#pairing-passkey", "333333");
        await page.Keyboard.PressAsync("Enter");
        await PairingBrowser.ExpectProblemAsync(page, "the gateway has forgotten this device and nothing was set up", "46-forgotten-after-three-wrong-numbers", output);
        Assert.Contains("/pair/devices", page.Url, StringComparison.Ordinal);

        await TapAndAddAsync(page, CuffItem + " a", "2");
        await simulator.DisconnectAsync(Cuff, TimeSpan.FromSeconds(60));
        await page.FillAsync("#pairing-passkey", "123456");
        await page.Keyboard.PressAsync("Enter");
        await PairingBrowser.ExpectProblemAsync(page, "The gateway lost contact with the device while pairing, so nothing was set up", "47-device-gone-mid-pairing", output);

        Assert.DoesNotContain(await gateway.Store.Bindings.ListDevicesAsync(null, default), d => d.Patient is not null);
        Assert.All(await simulator.GetDevicesAsync(), d => Assert.False(d.Paired));
        Assert.Contains(Thermometer, (await simulator.GetDevicesAsync()).Select(d => d.Address));
    }

    /// <summary>Taps a nearby device (its address fills the form), picks the user button, adds it: the page asks for the number.</summary>
    private static async Task TapAndAddAsync(IPage page, string item, string user)
    {
        var device = page.Locator(item);
        await device.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        await device.ClickAsync();
        await page.CheckAsync($"input[name=user][value=\"{user}\"]");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add this device" }).ClickAsync();
        await page.WaitForSelectorAsync("#pairing-passkey");
    }

    private Task Check(IPage page, string step) => PairingBrowser.CheckAsync(page, step, output);
}
