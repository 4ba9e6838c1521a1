using Microsoft.Extensions.Options;

namespace Vitals.Gateway.Web.Access;

public sealed class WebAccessOptionsValidator : IValidateOptions<WebAccessOptions>
{
    private const string Section = WebAccessOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, WebAccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.SessionLifetime < TimeSpan.FromMinutes(1) || options.SessionLifetime > TimeSpan.FromDays(30))
            failures.Add($"{Section}:{nameof(WebAccessOptions.SessionLifetime)} must be between 00:01:00 and 30.00:00:00, got {options.SessionLifetime}");
        if (options.PairingSessionLifetime < TimeSpan.FromMinutes(5) || options.PairingSessionLifetime > TimeSpan.FromHours(12))
            failures.Add($"{Section}:{nameof(WebAccessOptions.PairingSessionLifetime)} must be between 00:05:00 and 12:00:00, got {options.PairingSessionLifetime}");
        foreach (var url in options.EffectiveUrls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (!ListenerAddresses.TryHost(url, out _))
                failures.Add($"{Section}:{nameof(WebAccessOptions.Urls)} '{url}' is not a listener URL such as http://127.0.0.1:5080");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
