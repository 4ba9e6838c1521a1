using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Http;

namespace Vitals.Gateway.Tests.Delivery.Http;

/// <summary>Whose failure an answer is: the cause the delivery loop's flow control keys on.</summary>
public sealed class RetryCauseTests
{
    private const string TooManyEntries =
        """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","details":{"text":"Transaction requires strict isolation but has too many entries"}}]}""";

    private const string Invalid =
        """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","diagnostics":"value out of range"}]}""";

    public static TheoryData<int, string?, string?, RetryCause> Answers() => new()
    {
        { 429, "1", null, RetryCause.Throttled },
        { 429, null, null, RetryCause.Throttled },
        { 503, "2", null, RetryCause.Throttled },
        { 503, null, null, RetryCause.Unavailable },
        { 502, null, null, RetryCause.Unavailable },
        { 500, null, null, RetryCause.ServerError },
        { 408, null, null, RetryCause.TimedOut },
        { 413, null, null, RetryCause.TooLarge },
        { 400, null, TooManyEntries, RetryCause.TooLarge },
        { 403, null, null, RetryCause.Configuration },
        { 404, null, null, RetryCause.Configuration },
        { 405, null, null, RetryCause.Configuration },
        { 401, null, null, RetryCause.Configuration },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Each_answer_has_its_cause_and_keeps_status_and_body(int status, string? retryAfter, string? body, RetryCause cause)
    {
        var headers = retryAfter is null ? null : new Dictionary<string, string> { ["Retry-After"] = retryAfter };
        await using var server = await ScriptedFhirServer.StartAsync(_ => new ScriptedResponse(status, body, headers));
        using var http = Some.EhrHttpClient(Options.Create(new EhrOptions { BaseUrl = server.BaseUrl }));

        var response = await http.SendAsync(HttpMethod.Post, "", "{}", null, "POST [base] (transaction, 2 readings)", default);

        var later = Assert.IsType<DeliveryResult.RetryLater>(response.Failure);
        Assert.Equal((cause, status), (later.Cause, later.HttpStatus));
        Assert.Equal(body, later.Response);
    }

    [Fact]
    public async Task A_400_about_the_content_stays_a_refusal()
    {
        await using var server = await ScriptedFhirServer.StartAsync(_ => ScriptedResponse.Json(400, Invalid));
        using var http = Some.EhrHttpClient(Options.Create(new EhrOptions { BaseUrl = server.BaseUrl }));

        var response = await http.SendAsync(HttpMethod.Post, "Observation", "{}", null, "POST Observation", default);

        Assert.Equal(400, Assert.IsType<DeliveryResult.Rejected>(response.Failure).HttpStatus);
    }

    [Fact]
    public async Task No_answer_within_the_timeout_is_timed_out()
    {
        await using var server = await ScriptedFhirServer.StartAsync(_ => ScriptedResponse.Hang());
        using var http = Some.EhrHttpClient(Options.Create(new EhrOptions { BaseUrl = server.BaseUrl, Timeout = TimeSpan.FromMilliseconds(200) }));

        var response = await http.SendAsync(HttpMethod.Post, "", "{}", null, "POST [base]", default);

        Assert.Equal(RetryCause.TimedOut, Assert.IsType<DeliveryResult.RetryLater>(response.Failure).Cause);
    }

    [Theory]
    [InlineData("""{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"too-costly"}]}""", true)]
    [InlineData("""{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","diagnostics":"Bundle exceeds the maximum size"}]}""", true)]
    [InlineData(TooManyEntries, true)]
    [InlineData(Invalid, false)]
    [InlineData("""{"resourceType":"Bundle"}""", false)]
    [InlineData("<html>too large</html>", false)]
    [InlineData("", false)]
    public void A_400_says_the_request_is_too_large_only_in_an_OperationOutcome(string body, bool tooLarge) =>
        Assert.Equal(tooLarge, RequestTooLarge.SaysSo(body));
}
