using Microsoft.Extensions.Options;

namespace Vitals.Gateway.Web;

/// <summary>Start-up validation of the <c>Health</c> section; each message names its key.</summary>
public sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.MaxOutboxAge <= TimeSpan.Zero || options.MaxOutboxAge > TimeSpan.FromDays(30))
            errors.Add($"Health:MaxOutboxAge must be more than 0 and at most 30 days (got {options.MaxOutboxAge})");
        if (options.StoreProbeTimeout <= TimeSpan.Zero || options.StoreProbeTimeout > TimeSpan.FromMinutes(5))
            errors.Add($"Health:StoreProbeTimeout must be more than 0 and at most 5 minutes (got {options.StoreProbeTimeout})");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
