namespace Vitals.Gateway.Web.Access;

/// <summary>The <c>Web</c> section: where the web host listens and how long an admin login lasts.</summary>
public sealed class WebAccessOptions
{
    public const string SectionName = "Web";
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>';'-separated listener URLs (Kestrel). Any address other than loopback makes every page need a login.</summary>
    public string? Urls { get; set; }

    /// <summary>How long an admin login lasts, from the login (not sliding): then the password is asked again.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How long a patient's pairing session lasts after a valid enrolment code.</summary>
    public TimeSpan PairingSessionLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The folder of the key ring that signs login cookies and form tokens (created 0700, files 0600), so that they
    /// survive a restart. Empty: <c>web-keys</c> beside the SQLite store (<c>data/web-keys</c> by default). Instances of a
    /// fleet behind one address share it (a shared volume), or each keeps its own with sticky sessions.
    /// </summary>
    public string KeysPath { get; set; } = "";

    public string EffectiveUrls => string.IsNullOrWhiteSpace(Urls) ? DefaultUrls : Urls;
}
