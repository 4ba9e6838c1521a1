using Microsoft.Extensions.Options;

namespace Vitals.Gateway.Web;

/// <summary>Start-up validation of the <c>Metrics</c> section; each message names its key.</summary>
public sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.OutboxRefresh < TimeSpan.FromMilliseconds(100) || options.OutboxRefresh > TimeSpan.FromMinutes(10))
            errors.Add($"Metrics:OutboxRefresh must be between 100 ms and 10 minutes (got {options.OutboxRefresh})");
        var otlp = options.Otlp;
        if (!string.IsNullOrWhiteSpace(otlp.Endpoint))
        {
            if (!Uri.TryCreate(otlp.Endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                errors.Add($"Metrics:Otlp:Endpoint must be an absolute http(s) URL (got '{otlp.Endpoint}')");
            if (otlp.Protocol is not ("HttpProtobuf" or "Grpc"))
                errors.Add($"Metrics:Otlp:Protocol must be HttpProtobuf or Grpc (got '{otlp.Protocol}')");
            if (otlp.Interval < TimeSpan.FromSeconds(1) || otlp.Interval > TimeSpan.FromHours(1))
                errors.Add($"Metrics:Otlp:Interval must be between 1 s and 1 h (got {otlp.Interval})");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
