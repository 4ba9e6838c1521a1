using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vitals.Gateway.Cli;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Web.Access;

namespace Vitals.Gateway.Tests.Web;

/// <summary>
/// A gateway listening on every address (0.0.0.0, a free port): every page needs the admin login, forms need their
/// anti-forgery token, Host headers are filtered, and without a password it does not start at all.
/// </summary>
public sealed class WebAccessTests
{
    private const string Password = "a long admin password";
    private static readonly string Machine = Dns.GetHostName();

    [Fact]
    public async Task Without_an_admin_password_a_listener_beyond_loopback_refuses_to_start_and_names_the_command()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            InProcessGateway.StartAsync(settings: new Dictionary<string, string?> { ["Web:Urls"] = $"http://0.0.0.0:{FreePort.Next()}" }));

        Assert.Contains("Web:Urls", error.Message, StringComparison.Ordinal);
        Assert.Contains("admin set-password", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_page_but_liveness_needs_the_login_and_a_wrong_password_is_refused()
    {
        await using var rig = await Rig.StartAsync();
        using var web = rig.Client();

        foreach (var path in new[] { "/", "/api/status", "/metrics", "/healthz/ready", "/pair", "/pair/devices" })
        {
            using var anonymous = await web.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
            Assert.StartsWith("/login?return=", anonymous.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }
        using (var live = await web.GetAsync("/healthz/live")) Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using (var post = await web.PostAsync("/pair", ("code", "KXMT-4HRC"))) Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);

        using (var wrong = await web.SubmitAsync("/login", "/login", ("password", "not the password"), ("return", "/")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Contains("That password is not right", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var still = await web.GetAsync("/")) Assert.Equal(HttpStatusCode.Redirect, still.StatusCode);

        using (var login = await web.SubmitAsync("/login", "/login", ("password", Password), ("return", "/api/status")))
        {
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            Assert.Equal("/api/status", login.Headers.Location!.OriginalString);
        }
        using (var status = await web.GetAsync("/api/status")) Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        using (var page = await web.GetAsync("/")) Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using (var pairing = await web.GetAsync("/pair")) Assert.Equal(HttpStatusCode.OK, pairing.StatusCode);
    }

    [Fact]
    public async Task A_session_ends_its_lifetime_after_the_login()
    {
        await using var rig = await Rig.StartAsync(new Dictionary<string, string?> { ["Web:SessionLifetime"] = "00:30:00" });
        using var web = rig.Client();
        using (var login = await web.SubmitAsync("/login", "/login", ("password", Password), ("return", "/"))) Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);

        rig.Clock.Advance(TimeSpan.FromMinutes(29));
        using (var within = await web.GetAsync("/api/status")) Assert.Equal(HttpStatusCode.OK, within.StatusCode);
        rig.Clock.Advance(TimeSpan.FromMinutes(2));

        using var expired = await web.GetAsync("/api/status");
        Assert.Equal(HttpStatusCode.Redirect, expired.StatusCode);
        Assert.StartsWith("/login", expired.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_login_and_a_form_opened_before_a_restart_still_work_after_it_and_the_keys_are_private()
    {
        await using var rig = await Rig.StartAsync();
        using var web = rig.Client();
        using (var login = await web.SubmitAsync("/login", "/login", ("password", Password), ("return", "/"))) Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        using var form = await web.GetAsync("/pair");
        var token = WebForms.Token(await form.Content.ReadAsStringAsync());

        await rig.RestartAsync();

        // Still logged in, and the form's token still accepted: the unknown code is answered, not refused as forged.
        using (var status = await web.GetAsync("/api/status")) Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        using var posted = await web.PostAsync("/pair", (WebAccess.CsrfField, token), ("code", "KXMT-4HRC"));
        var answer = await posted.Content.ReadAsStringAsync();
        Assert.DoesNotContain("could not be accepted", answer, StringComparison.Ordinal);
        Assert.Contains("We do not know that code", answer, StringComparison.Ordinal);

        var keys = Path.Combine(rig.Folder, "web-keys");
        var files = Directory.GetFiles(keys, "*.xml");
        Assert.NotEmpty(files);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(keys));
        Assert.All(files, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
    }

    [Fact]
    public async Task A_form_without_its_anti_forgery_token_is_refused_even_with_the_right_password()
    {
        await using var rig = await Rig.StartAsync();
        using var web = rig.Client();
        using (await web.GetAsync("/login")) { } // the anti-forgery cookie, but no field

        using var missing = await web.PostAsync("/login", ("password", Password));
        using var forged = await web.PostAsync("/login", (WebAccess.CsrfField, "CfDJ8forged"), ("password", Password));

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        using var page = await web.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);

        // Logged in, a pairing form without its token is refused too.
        using (await web.SubmitAsync("/login", "/login", ("password", Password))) { }
        using var pair = await web.PostAsync("/pair", ("code", "KXMT-4HRC"));
        Assert.Equal(HttpStatusCode.BadRequest, pair.StatusCode);
        Assert.Contains("could not be accepted", await pair.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Password_and_code_guessing_is_limited_per_address()
    {
        await using var rig = await Rig.StartAsync();
        using var web = rig.Client();
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i <= TryLimits.PerMinute; i++)
        {
            using var wrong = await web.SubmitAsync("/login", "/login", ("password", "guess " + i));
            answers.Add(wrong.StatusCode);
        }
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, TryLimits.PerMinute), HttpStatusCode.TooManyRequests], answers);

        // Even the right password waits for the window to end.
        using var right = await web.SubmitAsync("/login", "/login", ("password", Password));
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Contains("Too many tries", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enrolment_code_guessing_is_limited_per_address_on_loopback_too()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        using var web = new WebForms(gateway.WebUrl);
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i <= TryLimits.PerMinute; i++)
        {
            using var wrong = await web.SubmitAsync("/pair", "/pair", ("code", "AAAA-AAA" + "CDEFGHJKMNP"[i]));
            answers.Add(wrong.StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.BadRequest, TryLimits.PerMinute), HttpStatusCode.TooManyRequests], answers);
    }

    [Fact]
    public async Task Only_the_machines_own_names_are_answered_off_loopback()
    {
        await using var rig = await Rig.StartAsync();
        using var web = rig.Client();

        web.Host = $"evil.example:{rig.Port}";
        using var rebinding = await web.GetAsync("/healthz/live");
        web.Host = $"{Machine}:{rig.Port}";
        using var named = await web.GetAsync("/healthz/live");

        Assert.Equal(HttpStatusCode.BadRequest, rebinding.StatusCode);
        Assert.Equal(HttpStatusCode.OK, named.StatusCode);
    }

    /// <summary>A gateway on 0.0.0.0 with the admin password set by the CLI verb, and the login sessions on a test clock.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private readonly string _folder;
        private readonly Dictionary<string, string?> _settings;
        private InProcessGateway _gateway;

        private Rig(InProcessGateway gateway, string folder, Dictionary<string, string?> settings, int port, FakeTimeProvider clock)
        {
            _gateway = gateway;
            _folder = folder;
            _settings = settings;
            Port = port;
            Clock = clock;
        }

        public string Folder => _folder;
        public int Port { get; }
        public FakeTimeProvider Clock { get; }

        public static async Task<Rig> StartAsync(Dictionary<string, string?>? settings = null)
        {
            var folder = Path.Combine(Path.GetTempPath(), "vg-access-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(folder);
            var store = Path.Combine(folder, "gateway.db");
            var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:Path"] = store }).Build();
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            Assert.Equal(ExitCodes.Ok, await AdminCommand.RunAsync(["set-password"], config, new StringReader(Password + "\n"), stdout, stderr));

            var port = FreePort.Next();
            var all = new Dictionary<string, string?> { ["Storage:Path"] = store, ["Web:Urls"] = $"http://0.0.0.0:{port}" };
            foreach (var (k, v) in settings ?? []) all[k] = v;
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
            return new Rig(await StartGatewayAsync(all, clock), folder, all, port, clock);
        }

        /// <summary>Stops the gateway and starts it again on the same store, port and clock, as after an update.</summary>
        public async Task RestartAsync()
        {
            await _gateway.DisposeAsync();
            _gateway = await StartGatewayAsync(_settings, Clock);
        }

        private static Task<InProcessGateway> StartGatewayAsync(Dictionary<string, string?> settings, FakeTimeProvider clock) =>
            InProcessGateway.StartAsync(settings: settings, configureServices: s =>
                s.PostConfigure<CookieAuthenticationOptions>(WebAccess.Scheme, o => o.TimeProvider = clock));

        /// <summary>A client on 127.0.0.1 that says the machine's name in Host, as a browser on the LAN would.</summary>
        public WebForms Client() => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}", $"{Machine}:{Port}");

        public async ValueTask DisposeAsync()
        {
            await _gateway.DisposeAsync();
            try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        }
    }
}
