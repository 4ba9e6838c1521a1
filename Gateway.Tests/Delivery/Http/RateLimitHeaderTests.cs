using Vitals.Gateway.Delivery.Http;

namespace Vitals.Gateway.Tests.Delivery.Http;

public sealed class RateLimitHeaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    private static TimeSpan? Delay(params (string Name, string Value)[] headers)
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.TooManyRequests);
        foreach (var (name, value) in headers)
            response.Headers.TryAddWithoutValidation(name, value);
        return RateLimitHeader.ToDelay(response.Headers, Now);
    }

    [Theory]
    // Medplum's FHIR quota on a 429 (its fhirquota: "fhirInteractions";r=...;t=...).
    [InlineData("\"fhirInteractions\";r=0;t=42", 42)]
    // Medplum on an ordinary answer lists both its limits; the one used up decides.
    [InlineData("\"requests\";r=59999;t=60, \"fhirInteractions\";r=0;t=17", 17)]
    // Two limits used up: the request needs both, so the later reset.
    [InlineData("\"default\";r=0;t=5, \"burst\";r=0;t=30", 30)]
    // A token as the policy name (Structured Fields allow it).
    [InlineData("default;r=0;t=9", 9)]
    // Drafts 06-07: one dictionary.
    [InlineData("limit=100, remaining=0, reset=12", 12)]
    public void RateLimit_field_gives_the_reset_of_the_limit_used_up(string value, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Delay(("RateLimit", value)));
    }

    [Theory]
    [InlineData("\"fhirInteractions\";r=49894;t=60")]
    [InlineData("\"requests\";r=59999;t=60, \"fhirInteractions\";r=49894;t=60")]
    [InlineData("limit=100, remaining=3, reset=12")]
    [InlineData("not a rate limit")]
    [InlineData("\"x\";r=0")]
    public void RateLimit_field_with_units_left_or_unreadable_gives_no_delay(string value)
    {
        Assert.Null(Delay(("RateLimit", value)));
    }

    [Fact]
    public void RateLimit_Reset_of_the_early_drafts_is_seconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), Delay(("RateLimit-Limit", "100"), ("RateLimit-Remaining", "0"), ("RateLimit-Reset", "30")));
        Assert.Null(Delay(("RateLimit-Remaining", "4"), ("RateLimit-Reset", "30")));
    }

    [Fact]
    public void X_RateLimit_Reset_is_seconds_or_a_Unix_time()
    {
        Assert.Equal(TimeSpan.FromSeconds(20), Delay(("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "20")));
        var unix = Now.AddSeconds(75).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromSeconds(75), Delay(("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", unix)));
        var past = Now.AddSeconds(-5).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.Zero, Delay(("X-RateLimit-Reset", past)));
    }

    [Fact]
    public void No_rate_limit_fields_give_no_delay()
    {
        Assert.Null(Delay());
    }
}
