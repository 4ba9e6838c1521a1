using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Playwright;
using Vitals.Gateway.Cli;
using Vitals.Gateway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Vitals.Gateway.Tests.Web;

/// <summary>
/// What the pairing page's browser tests share: Debian's chromium at a phone's viewport, the CLI's enrolment code,
/// and each step's screenshot (TestResults/screenshots) with an axe-core check (no serious or critical violation).
/// </summary>
internal static class PairingBrowser
{
    public static readonly string Screenshots = Path.Combine(RepoPaths.Root, "Gateway.Tests", "TestResults", "screenshots");
    private static readonly string Axe = Path.Combine(RepoPaths.Root, "Gateway.Tests", "Web", "axe", "node_modules", "axe-core", "axe.min.js");

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Headless = true });

    /// <summary>A phone-sized context. BypassCSP: the test injects axe-core into pages whose CSP allows only their own script.</summary>
    public static Task<IBrowserContext> PhoneAsync(IBrowser browser) =>
        browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 }, BypassCSP = true });

    /// <summary><c>patients enrol --patient</c> against the gateway's store: the printed code.</summary>
    public static async Task<string> EnrolAsync(InProcessGateway gateway, SandboxEhrProcess ehr, string patient)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Path"] = gateway.StorePath,
            ["Ehr:BaseUrl"] = ehr.BaseUrlText,
        }).Build();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await PatientsCommand.RunAsync(["enrol", "--patient", patient], config, stdout, stderr));
        return stdout.ToString().Trim();
    }

    public static async Task ExpectProblemAsync(IPage page, string message, string step, ITestOutputHelper output)
    {
        var problem = page.Locator("#problem");
        await problem.WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
        Assert.Contains(message, await problem.InnerTextAsync(), StringComparison.Ordinal);
        await CheckAsync(page, step, output);
    }

    /// <summary>A screenshot of the step, then axe-core on the page: no serious or critical violation.</summary>
    public static async Task CheckAsync(IPage page, string step, ITestOutputHelper output)
    {
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, step + ".png"), FullPage = true });
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = Axe });
        var violations = await page.EvaluateAsync<JsonElement>("""
            async () => (await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }))
                .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))
            """);
        var list = violations.EnumerateArray().Select(v => v.GetString()).ToList();
        output.WriteLine($"{step}: {list.Count} serious or critical axe violations");
        Assert.True(list.Count == 0, $"{step}: " + string.Join("; ", list));
    }
}
