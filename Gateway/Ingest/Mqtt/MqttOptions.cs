using Microsoft.Extensions.Options;

namespace Vitals.Gateway.Ingest.Mqtt;

public enum MqttMode { Embedded, External }

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
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
