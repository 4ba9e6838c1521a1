using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Playwright;
using Vitals.Gateway.Cli;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Vitals.Gateway.Tests.Web;

/// <summary>
/// The pairing page in Debian's chromium (headless, Playwright) at a phone's viewport: a patient of the sandbox EHR
/// is enrolled with the CLI, enters the code by keyboard, confirms, adds a Bluetooth cuff as user 2 with its passkey
/// and unpairs it; every wrong input shows its message. axe-core checks every page (no serious or critical violation)
/// and each step leaves a screenshot under TestResults/screenshots.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class PairingPageBrowserTests(ITestOutputHelper output, SandboxEhrFixture sandbox) : IClassFixture<SandboxEhrFixture>
{
    private const string Cuff = "C0:FF:EE:00:00:02";
    private const string SomeoneElsesCuff = "C0:FF:EE:00:00:09";

    [Fact]
    public async Task A_patient_enrols_confirms_adds_a_cuff_as_user_2_and_unpairs_it_with_a_message_for_each_wrong_input()
    {
        var ehr = await StartEhrAsync();
        var id = await SandboxPatients.CreateAsync(ehr, "Ada", "Lovelace-Test", "1952-03-04");
        await using var gateway = await InProcessGateway.StartAsync(ehr.BaseUrlText);
        await gateway.Store.Bindings.BindAsync(SomeoneElsesCuff, null, PatientId.Parse("Patient/someone-else"), DateTimeOffset.UtcNow, default);
        // A shared cuff: its user 1 is another patient's.
        await gateway.Store.Bindings.BindAsync(Cuff, 1, PatientId.Parse("Patient/partner"), DateTimeOffset.UtcNow, default);
        var code = await EnrolAsync(gateway, ehr, $"Patient/{id}");
        var clock = Stopwatch.StartNew();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Headless = true });
        // BypassCSP: the test injects axe-core into pages whose CSP forbids any script but their own.
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 }, BypassCSP = true });
        var page = await context.NewPageAsync();

        await page.GotoAsync(gateway.WebUrl + "/pair");
        await CheckAsync(page, "01-enter-code");
        // A wrong code, by keyboard only: focus the field, type, Enter.
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("AAAA-AAAA");
        await page.Keyboard.PressAsync("Enter");
        await ExpectProblemAsync(page, "We do not know that code", "02-unknown-code");

        await page.FillAsync("#code", " " + code.ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal));
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/pair/confirm");
        var confirm = await page.InnerTextAsync("main");
        Assert.Contains("Ada", confirm, StringComparison.Ordinal);
        Assert.Contains("1952", confirm, StringComparison.Ordinal);
        Assert.DoesNotContain("Lovelace", confirm, StringComparison.Ordinal);
        Assert.DoesNotContain("Middle", confirm, StringComparison.Ordinal);
        Assert.DoesNotContain("03-04", await page.ContentAsync(), StringComparison.Ordinal);
        await CheckAsync(page, "03-is-this-you");

        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, this is me" }).ClickAsync();
        await page.WaitForURLAsync("**/pair/devices");
        Assert.Contains("No device is set up for you yet", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await CheckAsync(page, "04-your-devices");

        await AddAsync(page, "not an address", "", "none");
        await ExpectProblemAsync(page, "That is not a device address", "05-bad-address");
        await AddAsync(page, Cuff, "12a456", "2");
        await ExpectProblemAsync(page, "has 6 digits", "06-bad-passkey");
        await AddAsync(page, SomeoneElsesCuff, "", "none");
        await ExpectProblemAsync(page, "Only your clinic can move it", "07-someone-elses-device");
        await AddAsync(page, Cuff, "123456", "1");
        await ExpectProblemAsync(page, "Someone else already uses user button 1", "07b-user-button-taken");

        await AddAsync(page, Cuff.ToLowerInvariant(), "123456", "2");
        Assert.Contains("Done: the device is yours now", await page.InnerTextAsync("#done"), StringComparison.Ordinal);
        Assert.Contains(Cuff, await page.InnerTextAsync("ul.devices"), StringComparison.Ordinal);
        await CheckAsync(page, "08-cuff-added");
        var devices = await gateway.Store.Bindings.ListDevicesAsync(null, default);
        Assert.Equal($"Patient/{id}", devices.Single(d => d.DeviceId == Cuff && d.User == 2).Patient!.Text);
        Assert.Equal("Patient/partner", devices.Single(d => d.DeviceId == Cuff && d.User == 1).Patient!.Text);
        Assert.Equal("Patient/someone-else", devices.Single(d => d.DeviceId == SomeoneElsesCuff).Patient!.Text);
        Assert.Equal(123456u, await gateway.Store.Pairings.GetAsync(Cuff, default));

        await page.GetByRole(AriaRole.Button, new() { Name = $"Unpair {Cuff}" }).ClickAsync();
        await page.WaitForSelectorAsync("#done");
        Assert.Contains("The device is unpaired", await page.InnerTextAsync("#done"), StringComparison.Ordinal);
        await CheckAsync(page, "09-cuff-unpaired");
        var afterUnpair = await gateway.Store.Bindings.ListDevicesAsync(null, default);
        Assert.DoesNotContain(afterUnpair, d => d.DeviceId == Cuff && d.Patient?.Text == $"Patient/{id}");
        Assert.Equal("Patient/partner", afterUnpair.Single(d => d.DeviceId == Cuff && d.User == 1).Patient!.Text);
        // A Wi-Fi (MQTT) device by its id: bound, with its broker password shown this once.
        await page.FillAsync("#mqtt-device", "wifi-scale-7");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add this Wi-Fi device" }).ClickAsync();
        await page.WaitForSelectorAsync("#mqtt-password");
        var password = (await page.InnerTextAsync("#mqtt-password")).Trim();
        Assert.Equal(43, password.Length);
        await CheckAsync(page, "10-wifi-device-added");
        Assert.Equal($"Patient/{id}", (await gateway.Store.Bindings.ListDevicesAsync(null, default)).Single(d => d.DeviceId == "wifi-scale-7" && d.Patient is not null).Patient!.Text);
        var hash = await gateway.Store.Credentials.FindHashAsync("wifi-scale-7", default);
        Assert.True(Vitals.Gateway.Ingest.Mqtt.MosquittoPasswordHash.TryParse(hash, out var parsed) && parsed.Verify(password), "the shown password matches the stored hash");
        Assert.DoesNotContain(password, hash, StringComparison.Ordinal);
        output.WriteLine($"flow from the first page to the unpaired cuff: {clock.Elapsed.TotalSeconds:0.0} s (browser time)");

        // The code worked once: another browser cannot use it again.
        await using var other = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 }, BypassCSP = true });
        var second = await other.NewPageAsync();
        await second.GotoAsync(gateway.WebUrl + "/pair");
        await second.FillAsync("#code", code);
        await second.Keyboard.PressAsync("Enter");
        await ExpectProblemAsync(second, "already been used", "11-code-used");
    }

    [Fact]
    public async Task A_reading_of_a_new_WiFi_device_appears_as_sent_to_the_care_team_without_a_reload_and_another_slots_never()
    {
        const string Scale = "wifi-scale-8";
        var ehr = await StartEhrAsync();
        var id = await SandboxPatients.CreateAsync(ehr, "Grace", "Hopper-Test", "1956-12-09");
        var partner = await SandboxPatients.CreateAsync(ehr, "Alan", "Partner-Test", "1954-06-23");
        await using var gateway = await InProcessGateway.StartAsync(ehr.BaseUrlText);
        // A shared scale: its user 2 is another patient's, with a reading of their own (93.7 kg) already filed.
        await gateway.Store.Bindings.BindAsync(Scale, 2, PatientId.Parse($"Patient/{partner}"), DateTimeOffset.UtcNow.AddHours(-1), default);
        var theirs = new Vitals.Devices.Reading
        {
            DeviceId = Scale, Kind = Vitals.Devices.VitalKind.BodyWeight, EffectiveTime = DateTimeOffset.UtcNow.AddMinutes(-2),
            MeasurementId = "partner-1", UserId = 2, Value = new Vitals.Devices.Quantity(93.7m, Vitals.Devices.Ucum.Kilogram),
        };
        await gateway.Store.Ingest.CommitAsync([Some.AcceptedRecord(theirs)], default);
        var code = await EnrolAsync(gateway, ehr, $"Patient/{id}");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Headless = true });
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 }, BypassCSP = true });
        var page = await context.NewPageAsync();
        await page.GotoAsync(gateway.WebUrl + "/pair");
        await page.FillAsync("#code", code);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/pair/confirm");
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, this is me" }).ClickAsync();
        await page.WaitForURLAsync("**/pair/devices");
        await page.FillAsync("#mqtt-device", Scale);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add this Wi-Fi device" }).ClickAsync();
        await page.WaitForSelectorAsync("#mqtt-password");
        // The device's app scans the QR code instead: what it reads is what the device then connects with.
        var scanned = System.Text.Json.JsonDocument.Parse(QrCodes.Decode(await page.InnerHTMLAsync("#mqtt-qr"))).RootElement;
        var password = scanned.GetProperty("password").GetString()!;
        Assert.Equal((await page.InnerTextAsync("#mqtt-password")).Trim(), password);
        Assert.Equal(Scale, scanned.GetProperty("username").GetString());
        Assert.Equal($"vitals/{Scale}/", scanned.GetProperty("topic").GetString());
        Assert.Equal($"mqtt://127.0.0.1:{gateway.MqttPort}", scanned.GetProperty("broker").GetString());
        await page.GetByRole(AriaRole.Link, new() { Name = "I have typed them in" }).ClickAsync();
        await page.WaitForURLAsync("**/pair/devices");
        Assert.Contains("Take a reading now", await page.InnerTextAsync("#take-a-reading"), StringComparison.Ordinal);
        Assert.Contains("No readings yet", await page.InnerTextAsync("ul.readings"), StringComparison.Ordinal);
        await CheckAsync(page, "30-take-a-reading");

        // The device publishes with its new credentials; the page (not reloaded: the marker stays) shows it delivered.
        await page.EvaluateAsync("() => { window.notReloaded = true; }");
        var published = Stopwatch.StartNew();
        // Taken now: the binding began seconds ago (at "Add"), and a reading taken before it would rightly be quarantined.
        var taken = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, await Vitals.Gateway.Tests.Ingest.Mqtt.MqttClients.MosquittoPubAsync(gateway.MqttPort, "mqttv311", $"vitals/{Scale}/body-weight",
            $$"""{"value": 72.4, "unit": "kg", "time": "{{taken}}", "id": 1}""", 1, (Scale, password)));
        var delivered = page.Locator("ul.readings li", new() { HasTextString = "sent to your care team at" });
        await delivered.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        output.WriteLine($"publish to \"sent to your care team\" on the page: {published.Elapsed.TotalSeconds:0.0} s");
        var line = await delivered.InnerTextAsync();
        Assert.Matches(@"^Weight 72\.4 kg, on \d{1,2} \w+ at \d\d:\d\d: sent to your care team at \d\d:\d\d$", line);
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the reading arrived without a reload");
        await CheckAsync(page, "31-reading-sent");
        Assert.DoesNotContain("93.7", await page.InnerHTMLAsync("main"), StringComparison.Ordinal);
        var stored = await gateway.Store.PatientReadings.ListPatientReadingsAsync(PatientId.Parse($"Patient/{id}"), Scale, null, DateTimeOffset.UtcNow.AddDays(-1), 10, default);
        Assert.Equal(Vitals.Gateway.Storage.PatientReadingState.Delivered, Assert.Single(stored).State);

        // Without script, the page is the same after a reload ("Check again"), now with the chart.
        await page.GetByRole(AriaRole.Button, new() { Name = "Check again" }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        await page.WaitForSelectorAsync("figure.chart svg");
        Assert.Contains("sent to your care team at", await page.InnerTextAsync("ul.readings"), StringComparison.Ordinal);
        Assert.DoesNotContain("93.7", await page.InnerHTMLAsync("main"), StringComparison.Ordinal);
        await CheckAsync(page, "32-readings-chart");

        // The scale is replaced by a new one: the new one is bound first, then the old one unpaired at the same instant;
        // the reading it sent stays filed with it (and in the EHR, on this patient).
        await page.GetByRole(AriaRole.Link, new() { Name = $"Replace {Scale} with a new device" }).ClickAsync();
        await page.WaitForSelectorAsync("#replacing");
        await CheckAsync(page, "33-replacing");
        await page.FillAsync("#mqtt-device", "wifi-scale-9");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add this Wi-Fi device" }).ClickAsync();
        await page.WaitForSelectorAsync("#mqtt-password");
        Assert.Contains($"{Scale} is unpaired", await page.InnerTextAsync("#done"), StringComparison.Ordinal);
        await CheckAsync(page, "34-replaced");
        var slots = await gateway.Store.Bindings.ListBindingsAsync(null, default);
        Assert.Contains(slots, b => b.DeviceId == "wifi-scale-9" && b.Patient.Text == $"Patient/{id}" && b.To is null);
        var old = Assert.Single(slots, b => b.DeviceId == Scale && b.Patient.Text == $"Patient/{id}");
        Assert.NotNull(old.To);
        Assert.Single(slots, b => b.DeviceId == Scale && b.User == 2 && b.To is null); // the other user's slot is untouched
        Assert.Single(await ehr.SearchAllAsync($"Observation?subject=Patient/{id}"));
    }

    [Fact]
    public async Task A_code_for_a_patient_the_EHR_no_longer_answers_for_changes_nothing_and_says_so()
    {
        var ehr = await StartEhrAsync();
        var id = await SandboxPatients.CreateAsync(ehr, "Brook", "Offline", "1960-01-01");
        await using var gateway = await InProcessGateway.StartAsync(ehr.BaseUrlText, new Dictionary<string, string?> { ["Ehr:Timeout"] = "00:00:03" });
        var code = await EnrolAsync(gateway, ehr, $"Patient/{id}");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Headless = true });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 }, BypassCSP = true });

        await ehr.OutageAsync(TimeSpan.FromSeconds(20));
        await page.GotoAsync(gateway.WebUrl + "/pair");
        await page.FillAsync("#code", code);
        await page.Keyboard.PressAsync("Enter");
        await ExpectProblemAsync(page, "We cannot reach your clinic's records right now", "12-ehr-unreachable");

        // Nothing was used up: the same code still works once the EHR answers again.
        await ehr.WaitUntilAvailableAsync(TimeSpan.FromSeconds(40));
        await page.FillAsync("#code", code);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/pair/confirm");
        Assert.Contains("Brook", await page.InnerTextAsync("main"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Off_loopback_the_pairing_page_asks_for_the_admin_login_first()
    {
        var folder = Path.Combine(Path.GetTempPath(), "vg-login-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var store = Path.Combine(folder, "gateway.db");
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:Path"] = store }).Build();
        using (var sink = new StringWriter())
            Assert.Equal(ExitCodes.Ok, await AdminCommand.RunAsync(["set-password"], config, new StringReader("clinic password 2026\n"), sink, sink));
        var port = FreePort.Next();
        await using var gateway = await InProcessGateway.StartAsync(settings: new Dictionary<string, string?> { ["Storage:Path"] = store, ["Web:Urls"] = $"http://0.0.0.0:{port}" });
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Headless = true });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 }, BypassCSP = true });

        await page.GotoAsync($"http://127.0.0.1:{port}/pair");
        Assert.Contains("/login?return=%2Fpair", page.Url, StringComparison.Ordinal);
        await CheckAsync(page, "20-login");
        await page.FillAsync("#password", "not the password");
        await page.Keyboard.PressAsync("Enter");
        await ExpectProblemAsync(page, "That password is not right", "21-wrong-password");
        await page.FillAsync("#password", "clinic password 2026");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/pair");
        Assert.Contains("Type it here to start", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }

    private Task<SandboxEhrProcess> StartEhrAsync() => Task.FromResult(sandbox.Ehr);

    private static Task<string> EnrolAsync(InProcessGateway gateway, SandboxEhrProcess ehr, string patient) => PairingBrowser.EnrolAsync(gateway, ehr, patient);

    private static async Task AddAsync(IPage page, string address, string passkey, string user)
    {
        await page.FillAsync("#address", address);
        await page.FillAsync("#passkey", passkey);
        await page.CheckAsync($"input[name=user][value=\"{user}\"]");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add this device" }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }

    private Task ExpectProblemAsync(IPage page, string message, string step) => PairingBrowser.ExpectProblemAsync(page, message, step, output);

    private Task CheckAsync(IPage page, string step) => PairingBrowser.CheckAsync(page, step, output);
}
