namespace Vitals.Gateway.Web;

/// <summary>The <c>Metrics</c> section: Prometheus text on <c>/metrics</c> always; OTLP push when an endpoint is set.</summary>
public sealed class MetricsOptions
{
    public const string SectionName = "Metrics";

    public OtlpMetricsOptions Otlp { get; set; } = new();

    /// <summary><c>Metrics:OutboxRefresh</c>: the outbox gauges re-read the store at most this often (scrapes in between see the cached value).</summary>
    public TimeSpan OutboxRefresh { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary><c>Metrics:Otlp:*</c>.</summary>
public sealed class OtlpMetricsOptions
{
    /// <summary><c>Metrics:Otlp:Endpoint</c>: the collector, e.g. <c>http://127.0.0.1:4318</c>; empty: no OTLP export.</summary>
    public string? Endpoint { get; set; }

    /// <summary><c>Metrics:Otlp:Protocol</c>: <c>HttpProtobuf</c> (port 4318) or <c>Grpc</c> (port 4317).</summary>
    public string Protocol { get; set; } = "HttpProtobuf";

    /// <summary><c>Metrics:Otlp:Interval</c>: how often metrics are pushed.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(60);
}
