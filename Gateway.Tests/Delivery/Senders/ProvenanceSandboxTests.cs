using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Tests.Storage;

namespace Vitals.Gateway.Tests.Delivery.Senders;

/// <summary>
/// <c>Fhir:Provenance</c> against the sandbox EHR for each profile: one Provenance per delivered request, naming the
/// Observations the EHR holds, the gateway Device as agent and the send time; a resend files no second one; off by
/// default.
/// </summary>
public sealed class ProvenanceSandboxTests(NeutralSandboxEhrFixture fixture) : IClassFixture<NeutralSandboxEhrFixture>, IDisposable
{
    private static readonly DateTimeOffset SentAt = new(2026, 12, 5, 21, 0, 0, TimeSpan.Zero);
    private readonly TempStore _temp = new();
    private readonly FakeTimeProvider _time = new(SentAt);

    [Theory]
    [InlineData(EhrProfile.FhirTransaction)]
    [InlineData(EhrProfile.FhirConditional)]
    [InlineData(EhrProfile.SinglePost)]
    public async Task One_Provenance_names_the_delivered_Observations_and_the_gateway_and_a_resend_files_no_second(EhrProfile profile)
    {
        var ehr = fixture.Ehr;
        await ehr.ResetAsync();
        var (sender, http) = await CreateAsync(ehr.BaseUrlText, profile, provenance: true);
        using var _ = http;
        var readings = Some.OutgoingTemperatures(3, devices: 1);

        var results = await sender.SendAsync(readings, default);
        _time.Advance(TimeSpan.FromMinutes(1));
        var again = await sender.SendAsync(readings, default);

        var delivered = results.Select(r => Assert.IsType<DeliveryResult.Delivered>(r)).SelectMany(d => d.ServerIds).ToHashSet();
        Assert.Equal(3, delivered.Count);
        Assert.All(again, r => Assert.IsType<DeliveryResult.Delivered>(r));
        Assert.Equal(3, await ehr.CountAsync("Observation"));
        var provenances = await ehr.SearchAllAsync("Provenance");
        // The transaction files one per Bundle; the per-reading profiles one per reading.
        Assert.Equal(profile == EhrProfile.FhirTransaction ? 1 : 3, provenances.Count);
        var targets = provenances.SelectMany(p => p.GetProperty("target").EnumerateArray().Select(t => t.GetProperty("reference").GetString())).ToList();
        Assert.Equal(delivered.Order(StringComparer.Ordinal), targets.Order(StringComparer.Ordinal));
        foreach (var provenance in provenances)
        {
            Assert.Equal(SentAt, provenance.GetProperty("recorded").GetDateTimeOffset());
            var who = Assert.Single(provenance.GetProperty("agent").EnumerateArray()).GetProperty("who");
            Assert.Equal("gw-provenance-test", who.GetProperty("identifier").GetProperty("value").GetString());
            Assert.Equal("CREATE", provenance.GetProperty("activity").GetProperty("coding")[0].GetProperty("code").GetString());
        }
    }

    [Theory]
    [InlineData(EhrProfile.FhirTransaction)]
    [InlineData(EhrProfile.FhirConditional)]
    public async Task Off_by_default_no_Provenance_is_filed(EhrProfile profile)
    {
        var ehr = fixture.Ehr;
        await ehr.ResetAsync();
        var (sender, http) = await CreateAsync(ehr.BaseUrlText, profile, provenance: false);
        using var _ = http;

        var results = await sender.SendAsync(Some.OutgoingTemperatures(2, devices: 1), default);

        Assert.All(results, r => Assert.IsType<DeliveryResult.Delivered>(r));
        Assert.Equal(2, await ehr.CountAsync("Observation"));
        Assert.Equal(0, await ehr.CountAsync("Provenance"));
    }

    [Fact]
    public async Task A_transaction_split_by_Ehr_Batch_MaxEntries_carries_one_Provenance_per_Bundle()
    {
        var ehr = fixture.Ehr;
        await ehr.ResetAsync();
        // 4 entries per Bundle: the Device, then two Observations and the Provenance; later Bundles three Observations.
        var (sender, http) = await CreateAsync(ehr.BaseUrlText, EhrProfile.FhirTransaction, provenance: true, maxEntries: 4);
        using var _ = http;

        var results = await sender.SendAsync(Some.OutgoingTemperatures(5, devices: 1), default);

        Assert.All(results, r => Assert.IsType<DeliveryResult.Delivered>(r));
        var provenances = await ehr.SearchAllAsync("Provenance");
        Assert.Equal(2, provenances.Count);
        Assert.Equal(5, provenances.Sum(p => p.GetProperty("target").GetArrayLength()));
    }

    private async Task<(IEhrSender Sender, EhrHttpClient Http)> CreateAsync(string baseUrl, EhrProfile profile, bool provenance, int maxEntries = 0)
    {
        var options = Options.Create(new EhrOptions
        {
            BaseUrl = baseUrl,
            Profile = profile,
            Batch = new EhrBatchOptions { MaxSize = 50, MaxEntries = maxEntries },
        });
        var http = Some.EhrHttpClient(options, new RecordingLogger<EhrHttpClient>());
        var fhir = Options.Create(new FhirOptions { Provenance = provenance, GatewayId = "gw-provenance-test" });
        var records = new DeliveryProvenance(fhir, new GatewayDevice(fhir), _time);
        return (Some.Sender(profile, http, options, profile == EhrProfile.SinglePost ? (await _temp.OpenAsync()).Ledger : null, _time, records), http);
    }

    public void Dispose() => _temp.Dispose();
}
