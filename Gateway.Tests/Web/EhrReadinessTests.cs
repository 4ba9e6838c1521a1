using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Web;
using Vitals.Gateway.Web.Health;

namespace Vitals.Gateway.Tests.Web;

public sealed class EhrReadinessTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero));
    private readonly GatewayMetrics _metrics = new();

    [Fact]
    public async Task An_outage_is_degraded_until_it_has_lasted_MaxOutboxAge_then_unhealthy_and_one_answer_ends_it()
    {
        var tracker = new EhrAnswerTracker(_metrics, _time);
        var check = new EhrHealthCheck(tracker, _time, Options.Create(new HealthOptions { MaxOutboxAge = TimeSpan.FromMinutes(15) }));
        Assert.Equal(HealthStatus.Healthy, (await Run(check)).Status);

        _metrics.Answered(new DeliveryResult.RetryLater("HTTP 503 from the EHR", null));
        _time.Advance(TimeSpan.FromMinutes(10));
        _metrics.Answered(new DeliveryResult.RetryLater("HTTP 503 from the EHR", null));
        var early = await Run(check);
        _time.Advance(TimeSpan.FromMinutes(6));
        var late = await Run(check);
        _metrics.Answered(new DeliveryResult.Delivered(["Observation/1"]));
        var back = await Run(check);

        Assert.Equal(HealthStatus.Degraded, early.Status);
        Assert.Contains("since 2026-12-05 10:00:00Z", early.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Unhealthy, late.Status);
        Assert.Contains("Health:MaxOutboxAge", late.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, back.Status);
        Assert.Equal(_time.GetUtcNow(), tracker.Current.Since);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task Refused_credentials_are_unhealthy_at_once(int status)
    {
        var tracker = new EhrAnswerTracker(_metrics, _time);
        var check = new EhrHealthCheck(tracker, _time, Options.Create(new HealthOptions()));

        // What the HTTP client answers for a 401 a token refresh did not cure, or a 403: a configuration fault.
        _metrics.Answered(new DeliveryResult.RetryLater($"HTTP {status} from the EHR on POST Observation: check Ehr:Auth", null)
        {
            Cause = RetryCause.Configuration,
            HttpStatus = status,
        });

        Assert.Equal(EhrAvailability.Unauthorised, tracker.Current.Availability);
        Assert.Equal(HealthStatus.Unhealthy, (await Run(check)).Status);
    }

    [Fact]
    public void A_reading_the_EHR_refuses_for_its_content_still_means_reachable_and_authorised()
    {
        var tracker = new EhrAnswerTracker(_metrics, _time);

        _metrics.Answered(new DeliveryResult.Rejected("unprocessable", 422, "{}", "{}"));

        Assert.Equal(EhrAvailability.Available, tracker.Current.Availability);
    }

    private static Task<HealthCheckResult> Run(IHealthCheck check) => check.CheckHealthAsync(new HealthCheckContext());
}
