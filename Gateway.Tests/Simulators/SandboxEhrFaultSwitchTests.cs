using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Vitals.Gateway.Tests.Infrastructure;
using static Vitals.Gateway.Tests.Simulators.SandboxEhrTests;
using Task = System.Threading.Tasks.Task;

namespace Vitals.Gateway.Tests.Simulators;

/// <summary>
/// The sandbox EHR's write faults (simulators/README.md, "Admin endpoints"): every n-th write, a hang, a server error
/// for one identifier, 403 for every write, 413 for large Bundles. On a neutral sandbox, so that only the fault under
/// test answers; each test starts from a reset.
/// </summary>
public sealed class SandboxEhrFaultSwitchTests(NeutralSandboxEhrFixture fixture) : IClassFixture<NeutralSandboxEhrFixture>, IAsyncLifetime
{
    private SandboxEhrProcess Ehr => fixture.Ehr;

    public Task InitializeAsync() => Ehr.ResetAsync();

    public Task DisposeAsync() => Ehr.ResetAsync();

    [Fact]
    public async Task Every_AnswersEachNthWriteWithStatusAndRetryAfter_AndLeavesReadsAlone()
    {
        await Ehr.InjectEveryAsync(429, every: 3, retryAfter: TimeSpan.FromSeconds(2));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await PostObservationAsync(Ehr, Observation("heartrate", NewIdentifier()));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
            using var read = await Ehr.Http.GetAsync("metadata");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        Assert.Equal(
            [HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests, HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests],
            statuses);
    }

    [Fact]
    public async Task Every_With503_AnswersServiceUnavailable()
    {
        await Ehr.InjectEveryAsync(503, every: 1, retryAfter: TimeSpan.FromSeconds(1));

        using var response = await PostObservationAsync(Ehr, Observation("heartrate", NewIdentifier()));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task Hang_DelaysOnlyBundlesOfTheGivenSize_AndStillFilesThem()
    {
        await Ehr.HangAsync(TimeSpan.FromMilliseconds(1500), minEntries: 3);
        var small = NewIdentifier();
        var large = Enumerable.Range(0, 3).Select(_ => NewIdentifier()).ToArray();

        var clock = Stopwatch.StartNew();
        using (var response = await PostTransactionAsync(Ehr, TransactionEntry(Observation("heartrate", small), small)))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var smallTook = clock.Elapsed;
        clock.Restart();
        using (var response = await PostTransactionAsync(Ehr, large.Select(id => TransactionEntry(Observation("heartrate", id), id)).ToArray()))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var largeTook = clock.Elapsed;

        Assert.True(largeTook >= TimeSpan.FromMilliseconds(1400), $"a 3-entry Bundle took {largeTook}");
        Assert.True(smallTook < TimeSpan.FromMilliseconds(1400), $"a 1-entry Bundle took {smallTook}");
        foreach (var id in large)
            Assert.Equal(1, await Ehr.CountAsync($"Observation?identifier={IdentifierSystem}|{id}"));
    }

    [Fact]
    public async Task Poison_FailsEveryWriteCarryingThatIdentifier_With500_AndNothingElse()
    {
        var poisoned = NewIdentifier();
        var healthy = NewIdentifier();
        await Ehr.PoisonAsync(poisoned);

        using (var alone = await PostObservationAsync(Ehr, Observation("heartrate", poisoned)))
            Assert.Equal(HttpStatusCode.InternalServerError, alone.StatusCode);
        using (var inBundle = await PostTransactionAsync(Ehr,
            TransactionEntry(Observation("heartrate", healthy), healthy), TransactionEntry(Observation("heartrate", poisoned), poisoned)))
            Assert.Equal(HttpStatusCode.InternalServerError, inBundle.StatusCode);
        Assert.Equal(0, await Ehr.CountAsync($"Observation?identifier={IdentifierSystem}|{healthy}"));
        using (var other = await PostObservationAsync(Ehr, Observation("heartrate", healthy)))
            Assert.Equal(HttpStatusCode.Created, other.StatusCode);

        await Ehr.PoisonAsync(poisoned, status: 0);
        using var cured = await PostObservationAsync(Ehr, Observation("heartrate", poisoned));
        Assert.Equal(HttpStatusCode.Created, cured.StatusCode);
    }

    [Fact]
    public async Task Forbid_RefusesEveryWriteWith403_ButServesReads()
    {
        await Ehr.ForbidAsync();

        using (var write = await PostObservationAsync(Ehr, Observation("heartrate", NewIdentifier())))
            Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        using (var read = await Ehr.Http.GetAsync("Observation?_count=1"))
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);

        await Ehr.ForbidAsync(0);
        using var allowed = await PostObservationAsync(Ehr, Observation("heartrate", NewIdentifier()));
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
    }

    [Fact]
    public async Task BundleLimit_Answers413AboveTheLimit_AndStoresNothing()
    {
        await Ehr.LimitBundlesAsync(2);
        var ids = Enumerable.Range(0, 3).Select(_ => NewIdentifier()).ToArray();
        JsonObject[] Entries(int n) => ids.Take(n).Select(id => TransactionEntry(Observation("heartrate", id), id)).ToArray();

        using (var three = await PostTransactionAsync(Ehr, Entries(3)))
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, three.StatusCode);
        Assert.Equal(0, await Ehr.CountAsync($"Observation?identifier={IdentifierSystem}|{ids[2]}"));
        using var two = await PostTransactionAsync(Ehr, Entries(2));
        Assert.Equal(HttpStatusCode.OK, two.StatusCode);
    }
}
