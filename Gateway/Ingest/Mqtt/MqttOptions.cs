using Microsoft.Extensions.Options;

namespace Vitals.Gateway.Ingest.Mqtt;

public enum MqttMode { Embedded, External }

/// <summary>Whether the embedded broker asks clients for credentials (README "Configuration", Mqtt:Authentication).</summary>
public enum MqttAuthentication { Auto, Required, Off }

/// <summary>
/// A tool (not a device) that may connect to the embedded broker: <see cref="PasswordHash"/> is mosquitto's <c>$7$</c>
/// form, so the part after "name:" of a <c>mosquitto_passwd</c> line serves as it is.
/// </summary>
public sealed class MqttOperator
{
    public string Username { get; set; } = "";
    public string PasswordHash { get; set; } = "";
}

/// <summary>Configuration section "Mqtt" (README "Configuration").</summary>
public sealed class MqttOptions
{
    public const string Section = "Mqtt";

    public MqttMode Mode { get; set; } = MqttMode.Embedded;

    /// <summary>Embedded: the address the broker listens on (loopback unless configured). External: the broker's host.</summary>
    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 1883;

    /// <summary>External mode: the gateway's client id. Stable, so the broker keeps its persistent session across restarts.</summary>
    public string ClientId { get; set; } = "vitals-gateway";

    /// <summary>External mode, fleet: subscribe as <c>$share/{SharedGroup}/...</c> so several gateways split the load.</summary>
    public string? SharedGroup { get; set; }

    public string? Username { get; set; }
    public string? Password { get; set; }

    public bool UseTls { get; set; }

    /// <summary>
    /// PEM file of the CA that signed the broker's certificate, for a broker with a private CA: the certificate is then
    /// validated against this CA (chain and host name) instead of the machine's trust store.
    /// </summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>Accept a broker certificate that does not validate (test brokers only).</summary>
    public bool AllowUntrustedCertificates { get; set; }

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// External mode: the Receive Maximum of the gateway's CONNECT (MQTT 5.0 §3.1.2.11.3, §4.9), how many QoS 1 readings
    /// the broker may send before the gateway acknowledges them. Left out, MQTT 5 means 65,535: a broker holding a
    /// backlog (hubs reconnecting after an outage) could hand one instance that many readings at once. The gateway
    /// acknowledges each after its group commit, so this is also the largest share of a commit one broker connection
    /// fills; 1,000 keeps commits large (Ingest:MaxBatch is 2,000) and an instance's memory bounded. Debian's
    /// mosquitto 2.0.11 exceeds it once acknowledgements flow (docs/scaling.md); Ingest:QueueCapacity still holds.
    /// </summary>
    public int ReceiveMaximum { get; set; } = 1_000;

    /// <summary>Embedded: Auto means Required unless the broker listens on loopback only (<see cref="RequiresCredentials"/>).</summary>
    public MqttAuthentication Authentication { get; set; } = MqttAuthentication.Auto;

    /// <summary>
    /// PBKDF2-SHA512 iterations of newly issued device credentials. Measured on the reference 2-core machine while
    /// shared with builds: one check takes 6.4 ms at 5,000 (1.35 ms at 1,000, 12 ms at 10,000), so 1,000 devices
    /// reconnecting at once are through in about 3 s of the 10 s allowed (BrokerFleetTests). The secret is 32 random
    /// bytes, so the count guards a leaked store, not a guessable password.
    /// </summary>
    public int CredentialIterations { get; set; } = DefaultCredentialIterations;

    public const int DefaultCredentialIterations = 5_000;
    public const int MinCredentialIterations = 1_000;
    public const int MaxCredentialIterations = 100_000;

    /// <summary>Embedded: tools with more than one device's rights (subscribe to readings with <see cref="RelayToOperators"/>).</summary>
    public List<MqttOperator> Operators { get; set; } = [];

    /// <summary>Embedded: relay accepted readings to operators subscribed to vitals topics (devices never receive them).</summary>
    public bool RelayToOperators { get; set; }

    /// <summary>Embedded: let topics outside <c>vitals/</c> through like any broker's; refused otherwise.</summary>
    public bool PassThrough { get; set; }

    /// <summary>True when the embedded broker listens on a loopback address only.</summary>
    public bool ListensOnLoopbackOnly =>
        Host == "localhost" || (System.Net.IPAddress.TryParse(Host, out var a) && System.Net.IPAddress.IsLoopback(a));

    /// <summary>The effective setting: Auto is Required unless <see cref="ListensOnLoopbackOnly"/>.</summary>
    public bool RequiresCredentials => Authentication switch
    {
        MqttAuthentication.Required => true,
        MqttAuthentication.Off => false,
        _ => !ListensOnLoopbackOnly,
    };

    public override string ToString() => $"{Mode} {Host}:{Port}"; // never the password
}

internal sealed class MqttOptionsValidator : IValidateOptions<MqttOptions>
{
    public ValidateOptionsResult Validate(string? name, MqttOptions o)
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(o.Mode)) errors.Add("Mqtt:Mode must be Embedded or External");
        if (string.IsNullOrWhiteSpace(o.Host)) errors.Add("Mqtt:Host must not be empty");
        if (o.Mode == MqttMode.Embedded && !System.Net.IPAddress.TryParse(o.Host, out _) && o.Host != "localhost")
            errors.Add($"Mqtt:Host '{o.Host}' must be an IP address to listen on in Embedded mode");
        if (o.Port is < 1 or > 65535) errors.Add($"Mqtt:Port {o.Port} must be between 1 and 65535");
        if (string.IsNullOrWhiteSpace(o.ClientId) || o.ClientId.Length > 64) errors.Add("Mqtt:ClientId must be 1-64 characters");
        if (o.SharedGroup is { } g && (g.Length == 0 || g.IndexOfAny(['/', '+', '#']) >= 0))
            errors.Add("Mqtt:SharedGroup must be a non-empty name without '/', '+' or '#'");
        if (o.SharedGroup is not null && o.Mode == MqttMode.Embedded)
            errors.Add("Mqtt:SharedGroup needs Mqtt:Mode=External (the embedded broker does not support shared subscriptions)");
        if (o.Password is not null && o.Username is null) errors.Add("Mqtt:Password is set but Mqtt:Username is not");
        if (o.CaCertificatePath is { Length: > 0 } ca)
        {
            if (!o.UseTls) errors.Add("Mqtt:CaCertificatePath is set but Mqtt:UseTls is not");
            if (!File.Exists(ca)) errors.Add($"Mqtt:CaCertificatePath '{ca}' does not exist");
        }
        if (o.ReceiveMaximum is < 1 or > ushort.MaxValue) errors.Add($"Mqtt:ReceiveMaximum {o.ReceiveMaximum} must be between 1 and 65535");
        if (!Enum.IsDefined(o.Authentication)) errors.Add("Mqtt:Authentication must be Auto, Required or Off");
        if (o.Mode == MqttMode.Embedded && o.Authentication == MqttAuthentication.Off && !o.ListensOnLoopbackOnly)
            errors.Add($"Mqtt:Authentication is Off but Mqtt:Host '{o.Host}' is not a loopback address: anyone on the network could publish any device's readings (use Required, or listen on 127.0.0.1)");
        if (o.CredentialIterations is < MqttOptions.MinCredentialIterations or > MqttOptions.MaxCredentialIterations)
            errors.Add($"Mqtt:CredentialIterations {o.CredentialIterations} must be between {MqttOptions.MinCredentialIterations} and {MqttOptions.MaxCredentialIterations}");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < o.Operators.Count; i++)
        {
            var op = o.Operators[i];
            if (string.IsNullOrEmpty(op.Username) || op.Username.Any(char.IsControl) || op.Username.Contains(':', StringComparison.Ordinal))
                errors.Add($"Mqtt:Operators:{i}:Username must be a non-empty name without ':' or control characters");
            else if (!names.Add(op.Username))
                errors.Add($"Mqtt:Operators:{i}:Username '{op.Username}' is listed twice");
            if (!MosquittoPasswordHash.TryParse(op.PasswordHash, out _))
                errors.Add($"Mqtt:Operators:{i}:PasswordHash must be a mosquitto $7$ hash ($7$iterations$salt$hash, as mosquitto_passwd writes it after 'name:')");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
