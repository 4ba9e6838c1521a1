using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>
/// Configuration section "Mqtt:Tls": TLS on the embedded broker. Setting <see cref="CertificatePath"/> turns it on, and
/// then the plain port closes unless <see cref="KeepPlainPort"/> says otherwise: whoever configures a certificate wants
/// readings and passwords off the wire in clear, and a plain port left open by default would quietly undo that.
/// </summary>
public sealed class MqttTlsOptions
{
    public const string Section = "Mqtt:Tls";

    /// <summary>PEM file with the server certificate, optionally followed by its intermediate CA certificates.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM file with the certificate's private key (PKCS#8, PKCS#1 or SEC1; not encrypted).</summary>
    public string? KeyPath { get; set; }

    /// <summary>The TLS port: 8883 is registered with IANA for MQTT over TLS (MQTT 5.0 §4.2, MQTT 3.1.1 §4.2).</summary>
    public int Port { get; set; } = 8883;

    /// <summary>Also keep <c>Mqtt:Port</c> open without TLS, e.g. while devices move over to TLS.</summary>
    public bool KeepPlainPort { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);

    /// <summary>The certificate with its key, and the intermediates to send with it. Throws when the files do not match.</summary>
    internal (X509Certificate2 Certificate, X509Certificate2Collection Intermediates) Load()
    {
        var certificate = X509Certificate2.CreateFromPemFile(CertificatePath!, KeyPath);
        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(CertificatePath!);
        var intermediates = new X509Certificate2Collection();
        foreach (var c in all)
            if (c.Thumbprint != certificate.Thumbprint) intermediates.Add(c);
        return (certificate, intermediates);
    }
}

internal sealed class MqttTlsOptionsValidator : IValidateOptions<MqttTlsOptions>
{
    public ValidateOptionsResult Validate(string? name, MqttTlsOptions o)
    {
        var errors = new List<string>();
        if (o.Port is < 1 or > 65535) errors.Add($"Mqtt:Tls:Port {o.Port} must be between 1 and 65535");
        if (!o.Enabled)
        {
            if (!string.IsNullOrWhiteSpace(o.KeyPath)) errors.Add("Mqtt:Tls:KeyPath is set but Mqtt:Tls:CertificatePath is not");
            if (o.KeepPlainPort) errors.Add("Mqtt:Tls:KeepPlainPort is set but Mqtt:Tls:CertificatePath is not (without TLS the plain port is the only one)");
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
        if (string.IsNullOrWhiteSpace(o.KeyPath)) errors.Add("Mqtt:Tls:KeyPath must name the private key's PEM file when Mqtt:Tls:CertificatePath is set");
        CheckReadable(o.CertificatePath!, "Mqtt:Tls:CertificatePath", errors);
        if (!string.IsNullOrWhiteSpace(o.KeyPath)) CheckReadable(o.KeyPath, "Mqtt:Tls:KeyPath", errors);
        if (errors.Count == 0)
        {
            try
            {
                using var loaded = o.Load().Certificate;
                if (!loaded.HasPrivateKey) errors.Add("Mqtt:Tls:KeyPath holds no private key for Mqtt:Tls:CertificatePath");
            }
            catch (CryptographicException ex)
            {
                // The message says which: no PEM certificate, no PEM key, or a key that is not the certificate's. Never the key itself.
                errors.Add($"Mqtt:Tls:CertificatePath and Mqtt:Tls:KeyPath do not make a certificate with its key: {ex.Message}");
            }
            catch (ArgumentException ex)
            {
                errors.Add($"Mqtt:Tls:CertificatePath and Mqtt:Tls:KeyPath do not make a certificate with its key: {ex.Message}");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckReadable(string path, string key, List<string> errors)
    {
        if (!File.Exists(path))
        {
            errors.Add($"{key} '{path}' does not exist");
            return;
        }
        try
        {
            using var _ = File.OpenRead(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{key} '{path}' cannot be read: {ex.Message}");
        }
    }
}
