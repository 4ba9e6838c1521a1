using Microsoft.Extensions.Options;
using Vitals.Devices;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Tests.Storage;

namespace Vitals.Gateway.Tests.Delivery.Senders;

/// <summary>
/// The Coincident Time Stamp of corrected readings against the sandbox EHR, per profile: filed once for the readings
/// of one clock measurement and on every resend, and each corrected Observation's derivedFrom names it.
/// </summary>
public sealed class CoincidentTimeStampSandboxTests(NeutralSandboxEhrFixture fixture) : IClassFixture<NeutralSandboxEhrFixture>, IDisposable
{
    private const string CtsSearch = "Observation?code=urn:iso:std:iso:11073:10101%7C67975";
    private readonly TempStore _temp = new();

    [Theory]
    [InlineData(EhrProfile.FhirTransaction)]
    [InlineData(EhrProfile.FhirConditional)]
    [InlineData(EhrProfile.SinglePost)]
    public async Task Two_readings_of_one_clock_measurement_file_one_coincident_time_stamp_that_both_derive_from(EhrProfile profile)
    {
        var ehr = fixture.Ehr;
        await ehr.ResetAsync();
        var (sender, http) = await CreateAsync(ehr.BaseUrlText, profile);
        using var _ = http;
        var measuredAt = new DateTimeOffset(2026, 11, 25, 6, 45, 12, 500, TimeSpan.Zero);
        var readings = CorrectedCuffs("C0:FF:EE:00:00:02", measuredAt);

        var results = await sender.SendAsync(readings, default);
        var again = await sender.SendAsync(readings, default);

        Assert.All(results.Concat(again), r => Assert.IsType<DeliveryResult.Delivered>(r));
        var cts = Assert.Single(await ehr.SearchAllAsync(CtsSearch));
        Assert.Equal(measuredAt.AddMinutes(-90), cts.GetProperty("valueDateTime").GetDateTimeOffset());
        Assert.StartsWith("Device/", cts.GetProperty("device").GetProperty("reference").GetString());
        var vitals = await ehr.SearchAllAsync("Observation?subject=Patient/123");
        Assert.Equal(4, vitals.Count);
        // By its identifier (the R4 vital-signs profile allows no resolvable reference to it, see CoincidentTimeStamp).
        var ctsIdentifier = cts.GetProperty("identifier")[0].GetProperty("value").GetString();
        Assert.All(vitals, o => Assert.Equal(ctsIdentifier, o.GetProperty("derivedFrom")[0].GetProperty("identifier").GetProperty("value").GetString()));
        var ctsReference = "Observation/" + cts.GetProperty("id").GetString();
        // What the readings delivered are their own Observations, not the time stamp they share.
        Assert.DoesNotContain(ctsReference, results.SelectMany(r => ((DeliveryResult.Delivered)r).ServerIds));
    }

    [Theory]
    [InlineData(EhrProfile.FhirTransaction)]
    [InlineData(EhrProfile.FhirConditional)]
    [InlineData(EhrProfile.SinglePost)]
    public async Task Without_MDC_codings_corrected_readings_are_filed_without_the_time_stamp_and_without_links_to_it(EhrProfile profile)
    {
        var ehr = fixture.Ehr;
        await ehr.ResetAsync();
        var (sender, http) = await CreateAsync(ehr.BaseUrlText, profile);
        using var _ = http;
        var compatibility = new EhrCompatibility(new EhrCompatibilityOptions { Omit = [EhrCompatibility.OmitMdcCoding] });
        var readings = CorrectedCuffs("C0:FF:EE:00:00:03", Some.MeasuredAt.AddMinutes(5), compatibility);

        var results = await sender.SendAsync(readings, default);

        Assert.All(results, r => Assert.IsType<DeliveryResult.Delivered>(r));
        Assert.Empty(await ehr.SearchAllAsync(CtsSearch));
        var vitals = await ehr.SearchAllAsync("Observation?subject=Patient/123");
        Assert.Equal(4, vitals.Count);
        Assert.All(vitals, o => Assert.False(o.TryGetProperty("derivedFrom", out var _)));
        Assert.DoesNotContain("urn:iso:std:iso:11073:10101", string.Join("\n", vitals.Select(o => o.GetRawText())));
    }

    /// <summary>Two cuff readings a minute apart, both corrected by the offset measured on the device clock at <paramref name="measuredAt"/>.</summary>
    private static List<OutgoingReading> CorrectedCuffs(string deviceId, DateTimeOffset measuredAt, EhrCompatibility? compatibility = null) =>
        new[] { 128m, 141m }.Select((systolic, i) => Some.Outgoing(Some.ReadingMapper().Map(Some.CuffReading(systolic) with
        {
            DeviceId = deviceId,
            EffectiveTime = Some.MeasuredAt.AddMinutes(i),
            DeviceTime = Some.MeasuredAt.AddMinutes(i).ToString("O"),
            TimeQuality = TimeQuality.AssumedLocalZone,
            ClockCorrection = TimeSpan.FromMinutes(-90),
            ClockMeasuredAt = measuredAt,
        }, Some.BoundPatient), outboxId: i + 1, deviceId: deviceId, compatibility)).ToList();

    private async Task<(IEhrSender Sender, EhrHttpClient Http)> CreateAsync(string baseUrl, EhrProfile profile)
    {
        var options = Options.Create(new EhrOptions { BaseUrl = baseUrl, Profile = profile });
        var http = Some.EhrHttpClient(options, new RecordingLogger<EhrHttpClient>());
        return (Some.Sender(profile, http, options, profile == EhrProfile.SinglePost ? (await _temp.OpenAsync()).Ledger : null), http);
    }

    public void Dispose() => _temp.Dispose();
}
