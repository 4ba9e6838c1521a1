using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Delivery.Auth;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Delivery.Compatibility;

/// <summary>The start-up CapabilityStatement check against scripted statements, an unreachable server and the real sandbox EHR.</summary>
public sealed class EhrCapabilityCheckTests
{
    private static async Task<(CapabilityReport? Report, RecordingLogger<EhrCapabilityCheck> Log, RecordedRequest? Request)> RunAsync(
        string baseUrl, EhrProfile profile, ScriptedFhirServer? server = null, params string[] omit)
    {
        var options = Options.Create(new EhrOptions
        {
            BaseUrl = baseUrl,
            Timeout = TimeSpan.FromSeconds(5),
            Profile = profile,
            Compatibility = new EhrCompatibilityOptions { Omit = [.. omit] },
            Auth = new EhrAuthOptions { Mode = EhrAuthMode.Bearer, BearerToken = "tok" },
        });
        using var http = Some.EhrHttpClient(options, new RecordingLogger<EhrHttpClient>());
        var log = new RecordingLogger<EhrCapabilityCheck>();
        var check = new EhrCapabilityCheck(http, options, new EhrCompatibility(options.Value.Compatibility), log);
        var report = await check.RunAsync(default);
        return (report, log, server?.Requests.LastOrDefault());
    }

    private static string Statement(string version = "4.0.1", bool transaction = true, bool conditional = true, bool search = true) => $$"""
        {"resourceType":"CapabilityStatement","status":"active","kind":"instance","fhirVersion":"{{version}}","format":["json"],
         "rest":[{"mode":"server",
           "interaction":[{{(transaction ? "{\"code\":\"transaction\"}," : "")}}{"code":"batch"}],
           "resource":[
             {"type":"Observation","interaction":[{"code":"create"}{{(search ? ",{\"code\":\"search-type\"}" : "")}}],"conditionalCreate":{{(conditional ? "true" : "false")}},
              "searchParam":[{"name":"identifier","type":"token"}]},
             {"type":"Device","interaction":[{"code":"create"}],"conditionalCreate":{{(conditional ? "true" : "false")}}}]}]}
        """;

    [Fact]
    public async Task A_full_statement_fits_fhir_transaction_and_is_read_with_the_credential()
    {
        await using var server = await ScriptedFhirServer.StartAsync(_ => ScriptedResponse.Json(200, Statement()));

        var (report, log, request) = await RunAsync(server.BaseUrl, EhrProfile.FhirTransaction, server);

        Assert.Empty(report!.Missing);
        Assert.Equal(("GET", "/fhir/R4/metadata", "Bearer tok"), (request!.Method, request.Path, request.Authorization));
        Assert.Equal(LogLevel.Information, Assert.Single(log.Entries, e => e.EventId.Id == 3300).Level);
        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task Without_transactions_fhir_transaction_gets_one_warning_naming_the_key_and_the_profile_that_fits()
    {
        await using var server = await ScriptedFhirServer.StartAsync(_ => ScriptedResponse.Json(200, Statement(transaction: false)));

        var (report, log, _) = await RunAsync(server.BaseUrl, EhrProfile.FhirTransaction, server);

        Assert.Equal(EhrProfile.FhirConditional, report!.Fits);
        var warning = Assert.Single(log.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Equal(3301, warning.EventId.Id);
        Assert.Contains("Ehr:Profile is fhir-transaction", warning.Message);
        Assert.Contains("the transaction interaction", warning.Message);
        Assert.Contains("Ehr:Profile fhir-conditional fits", warning.Message);
    }

    [Fact]
    public async Task Neither_transactions_nor_conditional_create_one_warning_per_gap_and_single_post_fits()
    {
        await using var server = await ScriptedFhirServer.StartAsync(_ => ScriptedResponse.Json(200, Statement(transaction: false, conditional: false)));

        var (report, log, _) = await RunAsync(server.BaseUrl, EhrProfile.FhirTransaction, server);

        Assert.Equal(EhrProfile.SinglePost, report!.Fits);
        var warnings = log.Entries.Where(e => e.Level >= LogLevel.Warning).ToList();
        Assert.Equal(3, warnings.Count); // transaction, conditionalCreate on Observation, on Device
        Assert.All(warnings, w => Assert.Contains("Ehr:Profile single-post fits", w.Message));
    }

    [Fact]
    public async Task Single_post_needs_only_create_and_search_by_identifier_and_a_device_left_out_needs_no_Device()
    {
        await using var server = await ScriptedFhirServer.StartAsync(_ => ScriptedResponse.Json(200, Statement(transaction: false, conditional: false)));
        var (fits, _, _) = await RunAsync(server.BaseUrl, EhrProfile.SinglePost, server);
        Assert.Empty(fits!.Missing);

        server.Respond = _ => ScriptedResponse.Json(200, Statement(transaction: false, conditional: false, search: false));
        var (noSearch, log, _) = await RunAsync(server.BaseUrl, EhrProfile.SinglePost, server);
        Assert.Contains("search by identifier on Observation", Assert.Single(noSearch!.Missing));
        Assert.Single(log.Entries, e => e.EventId.Id == 3301);

        server.Respond = _ => ScriptedResponse.Json(200, Statement().Replace("\"conditionalCreate\":true}]", "\"conditionalCreate\":false}]", StringComparison.Ordinal));
        var (deviceOmitted, _, _) = await RunAsync(server.BaseUrl, EhrProfile.FhirConditional, server, "device");
        Assert.Empty(deviceOmitted!.Missing);
    }

    [Fact]
    public async Task Another_FHIR_version_is_a_mismatch()
    {
        await using var server = await ScriptedFhirServer.StartAsync(_ => ScriptedResponse.Json(200, Statement(version: "5.0.0")));

        var (report, _, _) = await RunAsync(server.BaseUrl, EhrProfile.FhirTransaction, server);

        Assert.Contains("FHIR R4 (fhirVersion is 5.0.0, not 4.0.x)", report!.Missing);
    }

    [Fact]
    public async Task An_unreachable_EHR_or_a_body_that_is_no_statement_is_one_warning_and_not_fatal()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var (report, log, _) = await RunAsync($"http://127.0.0.1:{port}/fhir/R4", EhrProfile.FhirTransaction);
        Assert.Null(report);
        var warning = Assert.Single(log.Entries);
        Assert.Equal((3302, LogLevel.Warning), (warning.EventId.Id, warning.Level));
        Assert.Contains("connection refused", warning.Message);

        await using var server = await ScriptedFhirServer.StartAsync(_ => ScriptedResponse.Json(200, "<html>login</html>"));
        var (html, htmlLog, _) = await RunAsync(server.BaseUrl, EhrProfile.FhirTransaction, server);
        Assert.Null(html);
        Assert.Equal(3302, Assert.Single(htmlLog.Entries).EventId.Id);
    }

    [Fact]
    public async Task The_sandbox_EHR_fits_every_profile()
    {
        await using var ehr = await SandboxEhrProcess.StartAsync();
        foreach (var profile in Enum.GetValues<EhrProfile>())
        {
            var (report, log, _) = await RunAsync(ehr.BaseUrlText, profile);
            Assert.Empty(report!.Missing);
            Assert.Equal(EhrProfile.FhirTransaction, report.Fits);
            Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Warning);
        }
    }
}
