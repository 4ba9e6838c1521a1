using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vitals.Gateway.Tests.Infrastructure;
using static Vitals.Gateway.Tests.Simulators.SandboxEhrTests;
using Task = System.Threading.Tasks.Task;

namespace Vitals.Gateway.Tests.Simulators;

/// <summary>
/// By default the sandbox EHR answers as a real Medplum server does where the in-memory router alone would not
/// (docs/ehr.md, "The sandbox EHR"), and <c>$admin/medplum</c> switches each behaviour off. Each test starts from a
/// reset (the command line's defaults: all on).
/// </summary>
public sealed class SandboxEhrMedplumTests(SandboxEhrFixture fixture) : IClassFixture<SandboxEhrFixture>, IAsyncLifetime
{
    private SandboxEhrProcess Ehr => fixture.Ehr;

    public Task InitializeAsync() => Ehr.ResetAsync();

    public Task DisposeAsync() => Ehr.ResetAsync();

    [Fact]
    public async Task BloodPressure_NamingTheBpProfile_IsRefusedWithMedplumsSliceMessage_UntilProfilesAreSwitchedOff()
    {
        var identifier = NewIdentifier();

        using (var refused = await PostObservationAsync(Ehr, Observation("bp", identifier)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var body = await refused.Content.ReadAsStringAsync();
            Assert.Contains("slice 'SystolicBP': expected 1..1, but found 0", body, StringComparison.Ordinal);
        }
        Assert.Equal(0, await Ehr.CountAsync($"Observation?identifier={IdentifierSystem}|{identifier}"));

        await Ehr.SetMedplumAsync("profiles=off");
        using var accepted = await PostObservationAsync(Ehr, Observation("bp", identifier));
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
    }

    [Fact]
    public async Task BloodPressure_WithoutTheBpProfile_IsAccepted()
    {
        var observation = Observation("bp", NewIdentifier());
        observation.Remove("meta");

        using var response = await PostObservationAsync(Ehr, observation);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("bodytemp")]
    [InlineData("bodyweight")]
    [InlineData("resprate")]
    [InlineData("heartrate")]
    [InlineData("oxygensat")]
    public async Task OtherVitalSignsProfiles_AreNotMisread(string profile)
    {
        using var response = await PostObservationAsync(Ehr, Observation(profile, NewIdentifier()));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task ConditionalTransaction_OfNineEntries_IsRefused_OfEightIsTaken_AndOffTakesNine()
    {
        JsonObject[] Entries(int n) => Enumerable.Range(0, n).Select(_ =>
        {
            var id = NewIdentifier();
            return TransactionEntry(Observation("heartrate", id), id);
        }).ToArray();

        using (var nine = await PostTransactionAsync(Ehr, Entries(9)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, nine.StatusCode);
            Assert.Contains("Transaction requires strict isolation but has too many entries", await nine.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var eight = await PostTransactionAsync(Ehr, Entries(8)))
            Assert.Equal(HttpStatusCode.OK, eight.StatusCode);

        await Ehr.SetMedplumAsync("isolation=off");
        using var nineOff = await PostTransactionAsync(Ehr, Entries(9));
        Assert.Equal(HttpStatusCode.OK, nineOff.StatusCode);
    }

    [Fact]
    public async Task Quota_PastTheWritesPerMinute_Answers429WithRateLimitAndNoRetryAfter()
    {
        await Ehr.SetMedplumAsync("writesPerMinute=2");

        for (var i = 0; i < 2; i++)
        {
            using var ok = await PostObservationAsync(Ehr, Observation("heartrate", NewIdentifier()));
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
            Assert.Matches("^\"fhirInteractions\";r=\\d+;t=\\d+$", string.Join(", ", ok.Headers.GetValues("RateLimit")));
        }
        using var throttled = await PostObservationAsync(Ehr, Observation("heartrate", NewIdentifier()));

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Null(throttled.Headers.RetryAfter);
        var rateLimit = string.Join(", ", throttled.Headers.GetValues("RateLimit"));
        var match = System.Text.RegularExpressions.Regex.Match(rateLimit, "^\"fhirInteractions\";r=0;t=(\\d+)$");
        Assert.True(match.Success, rateLimit);
        Assert.InRange(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        using (var outcome = JsonDocument.Parse(await throttled.Content.ReadAsStringAsync()))
            Assert.Equal("throttled", outcome.RootElement.GetProperty("issue")[0].GetProperty("code").GetString());

        await Ehr.SetMedplumAsync("quota=off");
        using var unthrottled = await PostObservationAsync(Ehr, Observation("heartrate", NewIdentifier()));
        Assert.Equal(HttpStatusCode.Created, unthrottled.StatusCode);
        Assert.False(unthrottled.Headers.Contains("RateLimit"));
    }

    [Fact]
    public async Task Metadata_NamesMedplum_AndSomethingNeutralWhenIdentityIsOff()
    {
        Assert.Equal("medplum", await SoftwareNameAsync());

        await Ehr.SetMedplumAsync("identity=off");

        var neutral = await SoftwareNameAsync();
        Assert.DoesNotContain("medplum", neutral, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Reset_RestoresTheCommandLinesBehaviours()
    {
        await Ehr.SetMedplumAsync("all=off");

        await Ehr.ResetAsync();

        using var response = await Ehr.Http.GetAsync(new Uri(Ehr.BaseUrl, "/$admin/medplum"));
        using var state = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        foreach (var behaviour in new[] { "profiles", "isolation", "quota", "identity" })
            Assert.True(state.RootElement.GetProperty(behaviour).GetBoolean(), behaviour);
        Assert.Equal(500, state.RootElement.GetProperty("writesPerMinute").GetInt32());
    }

    private async Task<string> SoftwareNameAsync()
    {
        using var response = await Ehr.Http.GetAsync("metadata");
        using var statement = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return statement.RootElement.GetProperty("software").GetProperty("name").GetString()!;
    }
}
