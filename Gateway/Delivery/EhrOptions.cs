using Vitals.Gateway.Delivery.Auth;
using Vitals.Gateway.Delivery.Compatibility;

namespace Vitals.Gateway.Delivery;

/// <summary>The <c>Ehr</c> configuration section: where and how readings are delivered (README, Configuration).</summary>
public sealed class EhrOptions
{
    public const string SectionName = "Ehr";

    /// <summary>The FHIR R4 base, e.g. <c>https://ehr.example.org/fhir/R4</c>. Required; absolute http(s).</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>Per HTTP request, connection set-up included. A request that takes longer is retried later.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many readings the delivery loop sends at once.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>
    /// The connection pool's limit per EHR server. At least <see cref="MaxConcurrency"/> keeps parallel readings
    /// from queueing behind each other inside the handler, where they would spend their timeout waiting.
    /// </summary>
    public int MaxConnectionsPerServer { get; set; } = 4;

    /// <summary>
    /// The most of an answer body that is read (<c>Ehr:MaxResponseBytes</c>, after decompression): a larger answer is
    /// not read further, a 2xx that large is not taken as delivered. A transaction-response of
    /// <c>Ehr:Batch:MaxSize</c> readings with the resources returned fits well within the default.
    /// </summary>
    public long MaxResponseBytes { get; set; } = DefaultMaxResponseBytes;

    public const long DefaultMaxResponseBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Allows plain http to a non-loopback <see cref="BaseUrl"/> or SMART token endpoint (<c>Ehr:AllowInsecureHttp</c>);
    /// off by default, since readings and tokens would cross the network in clear text.
    /// </summary>
    public bool AllowInsecureHttp { get; set; }

    /// <summary>How readings are put into the EHR (<c>Ehr:Profile</c>): fhir-transaction (default), single-post or fhir-conditional.</summary>
    public EhrProfile Profile { get; set; } = EhrProfile.FhirTransaction;

    /// <summary>
    /// Settings for a known server (<c>Ehr:Preset</c>): auto (default: from the CapabilityStatement's software and
    /// implementation), medplum, hapi, epic, oracle-health or generic (none). Explicitly configured keys win.
    /// </summary>
    public string Preset { get; set; } = "auto";

    public EhrBatchOptions Batch { get; set; } = new();

    public EhrSinglePostOptions SinglePost { get; set; } = new();

    public EhrCompatibilityOptions Compatibility { get; set; } = new();

    public EhrAuthOptions Auth { get; set; } = new();

    public EhrRetryOptions Retry { get; set; } = new();

    /// <summary>The base URL with exactly one trailing slash, so relative resource paths resolve beneath it.</summary>
    public Uri BaseUri() => new(BaseUrl.TrimEnd('/') + "/", UriKind.Absolute);

    public override string ToString() =>
        $"BaseUrl={BaseUrl}, Timeout={Timeout}, MaxConcurrency={MaxConcurrency}, " +
        $"MaxConnectionsPerServer={MaxConnectionsPerServer}, MaxResponseBytes={MaxResponseBytes}, AllowInsecureHttp={AllowInsecureHttp}, Profile={EhrProfileConverter.ToName(Profile)}, Preset={Preset}, Batch=({Batch}), " +
        $"SinglePost=({SinglePost}), Compatibility=({Compatibility}), Auth=({Auth}), Retry=({Retry})";
}
