using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Delivery.Auth;

namespace Vitals.Gateway.Tests.Delivery;

public sealed class EhrOptionsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();

    private static EhrOptions Valid() => new() { BaseUrl = "https://ehr.example.org/fhir/R4" };

    [Fact]
    public void Binds_the_documented_keys_and_keeps_the_defaults()
    {
        var services = new ServiceCollection().AddLogging().AddEhrDelivery(Config(
            ("Ehr:BaseUrl", "http://127.0.0.1:8103/fhir/R4"),
            ("Ehr:Timeout", "00:00:05"),
            ("Ehr:MaxConnectionsPerServer", "16"),
            ("Ehr:Auth:Mode", "Bearer"),
            ("Ehr:Auth:BearerToken", "tok"),
            ("Ehr:Retry:Factor", "3")));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<EhrOptions>>().Value;

        Assert.Equal("http://127.0.0.1:8103/fhir/R4", options.BaseUrl);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Timeout);
        Assert.Equal(16, options.MaxConnectionsPerServer);
        Assert.Equal(4, options.MaxConcurrency);
        Assert.Equal(EhrAuthMode.Bearer, options.Auth.Mode);
        Assert.Equal("tok", options.Auth.BearerToken);
        Assert.Equal(3.0, options.Retry.Factor);
        Assert.Equal(TimeSpan.FromSeconds(1), options.Retry.BaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Retry.MaxDelay);
        Assert.Equal(TimeSpan.FromHours(1), options.Retry.MaxRetryAfter);
        Assert.NotNull(provider.GetRequiredService<ConditionalCreateSender>());
        Assert.Same(provider.GetRequiredService<RetryPolicy>(), provider.GetRequiredService<RetryPolicy>());
    }

    [Fact]
    public void A_missing_base_url_fails_with_a_message_naming_the_key()
    {
        using var provider = new ServiceCollection().AddLogging().AddEhrDelivery(Config()).BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<EhrOptions>>().Value);

        Assert.Contains("Ehr:BaseUrl must be an absolute http(s) URL", ex.Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8103/fhir/R4", false)]
    [InlineData("http://localhost:8103/fhir/R4", false)]
    [InlineData("http://[::1]:8103/fhir/R4", false)]
    [InlineData("http://ehr.test.internal/fhir/R4", true)]
    public void Plain_http_is_allowed_on_loopback_or_with_the_switch(string baseUrl, bool allowInsecureHttp)
    {
        var options = Valid();
        options.BaseUrl = baseUrl;
        options.AllowInsecureHttp = allowInsecureHttp;

        Assert.True(new EhrOptionsValidator().Validate(null, options).Succeeded);
    }

    public static TheoryData<string, string> InvalidSettings() => new()
    {
        { "BaseUrl=ftp://ehr.example.org/fhir", "Ehr:BaseUrl must be an absolute http(s) URL" },
        { "BaseUrl=fhir/R4", "Ehr:BaseUrl must be an absolute http(s) URL" },
        { "BaseUrl=https://user:pw@ehr.example.org/fhir", "Ehr:BaseUrl must not contain credentials" },
        { "BaseUrl=https://ehr.example.org/fhir?x=1", "Ehr:BaseUrl must not have a query or fragment" },
        { "BaseUrl=http://ehr.example.org/fhir", "Ehr:BaseUrl must be https for a host other than loopback" },
        { "MaxResponseBytes=1023", "Ehr:MaxResponseBytes must be between 1024 and 1073741824" },
        { "Timeout=0", "Ehr:Timeout must be greater than 0" },
        { "MaxConcurrency=0", "Ehr:MaxConcurrency must be between 1 and 256" },
        { "MaxConnectionsPerServer=0", "Ehr:MaxConnectionsPerServer must be between 1 and 1024" },
        { "Auth:Mode=Bearer", "Ehr:Auth:BearerToken is required when Ehr:Auth:Mode is Bearer" },
        { "Auth:BearerToken=a\r\nX-Evil: 1", "Ehr:Auth:BearerToken must not contain spaces or control characters" },
        { "Retry:BaseDelay=0", "Ehr:Retry:BaseDelay must be greater than 0" },
        { "Retry:MaxDelay=0.5", "Ehr:Retry:MaxDelay must be at least Ehr:Retry:BaseDelay" },
        { "Retry:Factor=0.5", "Ehr:Retry:Factor must be between 1 and 10" },
        { "Retry:Factor=NaN", "Ehr:Retry:Factor must be between 1 and 10" },
        { "Retry:MaxRetryAfter=-1", "Ehr:Retry:MaxRetryAfter must not be negative" },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void Each_invalid_setting_is_reported_by_its_key(string setting, string expected)
    {
        var options = Valid();
        var (key, value) = (setting[..setting.IndexOf('=')], setting[(setting.IndexOf('=') + 1)..]);
        switch (key)
        {
            case "BaseUrl": options.BaseUrl = value; break;
            case "MaxResponseBytes": options.MaxResponseBytes = long.Parse(value); break;
            case "Timeout": options.Timeout = TimeSpan.FromSeconds(double.Parse(value)); break;
            case "MaxConcurrency": options.MaxConcurrency = int.Parse(value); break;
            case "MaxConnectionsPerServer": options.MaxConnectionsPerServer = int.Parse(value); break;
            case "Auth:Mode": options.Auth.Mode = Enum.Parse<EhrAuthMode>(value); break;
            case "Auth:BearerToken": options.Auth.BearerToken = value; break;
            case "Retry:BaseDelay": options.Retry.BaseDelay = TimeSpan.FromSeconds(double.Parse(value)); break;
            case "Retry:MaxDelay": options.Retry.MaxDelay = TimeSpan.FromSeconds(double.Parse(value)); break;
            case "Retry:Factor": options.Retry.Factor = double.Parse(value); break;
            case "Retry:MaxRetryAfter": options.Retry.MaxRetryAfter = TimeSpan.FromSeconds(double.Parse(value)); break;
            default: throw new ArgumentException(key);
        }

        var result = new EhrOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith(expected, failure);
    }

    [Fact]
    public void The_defaults_with_a_base_url_are_valid()
    {
        Assert.True(new EhrOptionsValidator().Validate(null, Valid()).Succeeded);
    }

    [Fact]
    public void Neither_ToString_nor_a_validation_failure_reveals_the_token()
    {
        var options = Valid();
        options.Auth.Mode = EhrAuthMode.Bearer;
        options.Auth.BearerToken = "very secret\ttoken";

        var result = new EhrOptionsValidator().Validate(null, options);

        Assert.DoesNotContain("secret", options.ToString());
        Assert.Contains("BearerToken=(set)", options.ToString());
        Assert.DoesNotContain("secret", result.FailureMessage);
    }

    [Theory]
    [InlineData("https://ehr.example.org/fhir/R4", "https://ehr.example.org/fhir/R4/Observation")]
    [InlineData("https://ehr.example.org/fhir/R4/", "https://ehr.example.org/fhir/R4/Observation")]
    [InlineData("http://127.0.0.1:8103", "http://127.0.0.1:8103/Observation")]
    public void Resource_paths_resolve_beneath_the_base(string baseUrl, string expected)
    {
        Assert.Equal(expected, new Uri(new EhrOptions { BaseUrl = baseUrl }.BaseUri(), "Observation").ToString());
    }
}
