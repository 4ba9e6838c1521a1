using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Delivery.Compatibility;

/// <summary>Ehr:Preset auto: the start-up check identifies the server and puts its preset in effect, logged once.</summary>
public sealed class EhrCapabilityCheckPresetTests
{
    private const string MedplumStatement = """
        {"resourceType":"CapabilityStatement","status":"active","kind":"instance","fhirVersion":"4.0.1","publisher":"Medplum",
         "software":{"name":"medplum","version":"5.0.13-2a0f1e1"},"implementation":{"description":"medplum","url":"http://x/fhir/R4/"},
         "rest":[{"mode":"server","interaction":[{"code":"transaction"}],
           "resource":[{"type":"Observation","interaction":[{"code":"create"},{"code":"search-type"}],"conditionalCreate":true},
                       {"type":"Device","interaction":[{"code":"create"}],"conditionalCreate":true}]}]}
        """;

    private bool settledBeforeStop;

    private async Task<(EhrServerPreset Preset, RecordingLogger<EhrCapabilityCheck> Log)> StartAsync(EhrOptions ehr)
    {
        var options = Options.Create(ehr);
        using var http = Some.EhrHttpClient(options, new RecordingLogger<EhrHttpClient>());
        var preset = new EhrServerPreset(options.Value);
        var log = new RecordingLogger<EhrCapabilityCheck>();
        using var check = new EhrCapabilityCheck(http, options, new EhrCompatibility(options.Value.Compatibility, preset), preset, TimeProvider.System, log);
        // Start-up does not wait for the EHR; the delivery loop waits for the preset (or, here, its first answer).
        await check.StartAsync(default);
        await Eventually.TrueAsync(() => preset.Settled.IsCompleted || log.Entries.Any(e => e.EventId.Id == 3302), TimeSpan.FromSeconds(15), "the preset settled or the EHR found unreadable");
        settledBeforeStop = preset.Settled.IsCompleted;
        await check.StopAsync(default);
        return (preset, log);
    }

    [Fact]
    public async Task Medplum_is_identified_and_its_preset_logged_with_every_key_it_sets_before_start_up_goes_on()
    {
        await using var server = await ScriptedFhirServer.StartAsync(_ => ScriptedResponse.Json(200, MedplumStatement));

        var (preset, log) = await StartAsync(new EhrOptions { BaseUrl = server.BaseUrl, Timeout = TimeSpan.FromSeconds(5) });

        Assert.Equal("medplum", preset.Current.Preset.Name);
        Assert.Equal(8, preset.Current.MaxEntries);
        Assert.Contains(EhrPreset.BloodPressureProfile, preset.Current.OmitProfiles);
        var entry = Assert.Single(log.Entries, e => e.EventId.Id == 3303);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Contains("EHR preset medplum", entry.Message, StringComparison.Ordinal);
        Assert.Contains("Ehr:Compatibility:OmitProfiles=[http://hl7.org/fhir/StructureDefinition/bp]", entry.Message, StringComparison.Ordinal);
        Assert.Contains("Ehr:Batch:MaxEntries=8", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_explicit_key_is_kept_and_the_log_says_so()
    {
        await using var server = await ScriptedFhirServer.StartAsync(_ => ScriptedResponse.Json(200, MedplumStatement));

        var (preset, log) = await StartAsync(new EhrOptions
        {
            BaseUrl = server.BaseUrl,
            Timeout = TimeSpan.FromSeconds(5),
            Batch = new EhrBatchOptions { MaxEntries = 20 },
        });

        Assert.Equal(20, preset.Current.MaxEntries);
        Assert.Contains(EhrPreset.BloodPressureProfile, preset.Current.OmitProfiles);
        var message = Assert.Single(log.Entries, e => e.EventId.Id == 3303).Message;
        Assert.Contains("kept as configured: Ehr:Batch:MaxEntries", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Ehr:Batch:MaxEntries=8", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_EHR_does_not_hold_start_up_and_leaves_the_configuration_as_it_is()
    {
        var (preset, log) = await StartAsync(new EhrOptions { BaseUrl = $"http://127.0.0.1:{FreePort.Next()}/fhir/R4", Timeout = TimeSpan.FromSeconds(2) });

        Assert.Equal("generic", preset.Current.Preset.Name);
        // Unanswered, the preset stays to be identified (delivery waits) until the check stops.
        Assert.False(settledBeforeStop);
        Assert.True(preset.Settled.IsCompleted);
        Assert.Single(log.Entries, e => e.EventId.Id == 3302);
        Assert.DoesNotContain(log.Entries, e => e.EventId.Id == 3303);
    }
}
