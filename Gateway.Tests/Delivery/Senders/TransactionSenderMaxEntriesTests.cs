using System.Text.Json;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Delivery.Senders;

/// <summary>Ehr:Batch:MaxEntries (configured or from the EHR's preset) bounds the entries of every transaction Bundle.</summary>
public sealed class TransactionSenderMaxEntriesTests
{
    [Fact]
    public async Task Readings_handed_over_together_go_in_consecutive_Bundles_of_at_most_MaxEntries_entries_in_order()
    {
        var fhir = new MiniFhir();
        await using var server = await ScriptedFhirServer.StartAsync(fhir.Respond);
        var options = Options.Create(new EhrOptions
        {
            BaseUrl = server.BaseUrl,
            Timeout = TimeSpan.FromSeconds(5),
            Batch = new EhrBatchOptions { MaxSize = 50, MaxEntries = 8 },
        });
        using var http = Some.EhrHttpClient(options, new RecordingLogger<EhrHttpClient>());
        var sender = new TransactionSender(http, options, new EhrServerPreset(options.Value), new RecordingLogger<TransactionSender>());
        var readings = Some.OutgoingTemperatures(20, devices: 2);

        var results = await sender.SendAsync(readings, default);

        Assert.All(results, r => Assert.IsType<DeliveryResult.Delivered>(r));
        Assert.Equal(50, sender.MaxReadingsPerRequest);
        var sizes = server.Requests.Select(r =>
        {
            using var bundle = JsonDocument.Parse(r.Body);
            return bundle.RootElement.GetProperty("entry").GetArrayLength();
        }).ToList();
        Assert.All(sizes, n => Assert.InRange(n, 1, 8));
        // 20 Observations and 2 Devices (the first Bundle creates both, later ones reference them by id).
        Assert.Equal(22, sizes.Sum());
        Assert.Equal(20, fhir.OfType("Observation").Count);
        var sent = server.Requests
            .SelectMany(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("entry").EnumerateArray())
            .Where(e => e.GetProperty("resource").GetProperty("resourceType").GetString() == "Observation")
            .Select(e => e.GetProperty("resource").GetProperty("identifier")[0].GetProperty("value").GetString())
            .ToList();
        Assert.Equal(readings.Select(r => r.ObservationKeys[0].Value).ToList(), sent);
    }

    [Fact]
    public async Task The_Medplum_preset_sets_eight_entries_unless_MaxEntries_is_configured()
    {
        var preset = new EhrServerPreset(new EhrOptions());
        Assert.Equal(0, preset.Current.MaxEntries);

        var (changes, kept) = preset.Apply(EhrPreset.Medplum);

        Assert.Equal(8, preset.Current.MaxEntries);
        Assert.Contains("Ehr:Batch:MaxEntries=8", changes);
        Assert.Empty(kept);

        var configured = new EhrServerPreset(new EhrOptions { Batch = new EhrBatchOptions { MaxEntries = 0 } });
        var (_, keptConfigured) = configured.Apply(EhrPreset.Medplum);
        Assert.Equal(0, configured.Current.MaxEntries);
        Assert.Contains("Ehr:Batch:MaxEntries", keptConfigured);
    }
}
