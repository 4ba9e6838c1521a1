using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Ingest.Mqtt;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Ingest.Mqtt;

/// <summary>Mqtt:Tls on the embedded broker, with a CA and server certificate made for the test and mosquitto_pub as the client.</summary>
public sealed class BrokerTlsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vg-tls-").FullName;

    private string Ca => Path.Combine(_dir, "ca.pem");
    private string Cert => Path.Combine(_dir, "server.pem");
    private string Key => Path.Combine(_dir, "server.key");

    public BrokerTlsTests()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Vitals Gateway Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // serverAuth
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var server = request.Create(ca, now.AddDays(-1), now.AddDays(29), RandomNumberGenerator.GetBytes(8));

        File.WriteAllText(Ca, ca.ExportCertificatePem());
        File.WriteAllText(Cert, server.ExportCertificatePem());
        File.WriteAllText(Key, key.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Dictionary<string, string?> Tls(int port, bool keepPlain = false) => new()
    {
        ["Mqtt:Tls:CertificatePath"] = Cert,
        ["Mqtt:Tls:KeyPath"] = Key,
        ["Mqtt:Tls:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Mqtt:Tls:KeepPlainPort"] = keepPlain ? "true" : "false",
    };

    private static async Task<(int ExitCode, string Error)> MosquittoPubAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("mosquitto_pub", arguments) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var p = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var error = await p.StandardError.ReadToEndAsync(timeout.Token);
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, error);
    }

    [Fact]
    public async Task Mosquitto_pub_publishes_over_TLS_with_the_CA_and_the_plain_port_stays_closed()
    {
        var tlsPort = FreePort.Next();
        await using var gateway = await InProcessGateway.StartAsync(settings: Tls(tlsPort));

        var (exit, error) = await MosquittoPubAsync(
            "--cafile", Ca, "-h", "localhost", "-p", tlsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-i", "tls-thermo", "-q", "1", "-t", "vitals/tls-thermo/body-temperature", "-m", """{"value": 37.1, "unit": "Cel"}""");

        Assert.True(exit == 0, $"mosquitto_pub over TLS failed ({exit}): {error}");
        // At QoS 1 mosquitto_pub exits after the PUBACK, which the gateway sends once the reading is committed.
        Assert.Single(await gateway.Store.Quarantine.ListQuarantineAsync("tls-thermo", 10, default));
        using var plain = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => plain.ConnectAsync(IPAddress.Loopback, gateway.MqttPort));
    }

    [Fact]
    public async Task A_plain_connection_to_the_TLS_port_fails_and_KeepPlainPort_keeps_the_plain_one()
    {
        var tlsPort = FreePort.Next();
        await using var gateway = await InProcessGateway.StartAsync(settings: Tls(tlsPort, keepPlain: true));
        var port = tlsPort.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var (plainExit, _) = await MosquittoPubAsync("-h", "127.0.0.1", "-p", port, "-i", "plain-on-tls", "-q", "1", "-t", "vitals/x/body-temperature", "-m", "{}");
        var (plainPortExit, plainPortError) = await MosquittoPubAsync(
            "-h", "127.0.0.1", "-p", gateway.MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", "plain", "-q", "1", "-t", "home/kitchen", "-m", "on");

        Assert.NotEqual(0, plainExit);
        Assert.True(plainPortExit == 0, $"the plain port with KeepPlainPort: {plainPortError}");
    }

    [Fact]
    public void A_key_that_is_not_the_certificates_or_a_missing_file_fails_validation_naming_the_key()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var otherKey = Path.Combine(_dir, "other.key");
        File.WriteAllText(otherKey, other.ExportPkcs8PrivateKeyPem());
        var validator = new MqttTlsOptionsValidator();

        var mismatch = validator.Validate(null, new MqttTlsOptions { CertificatePath = Cert, KeyPath = otherKey });
        var missing = validator.Validate(null, new MqttTlsOptions { CertificatePath = Path.Combine(_dir, "nope.pem"), KeyPath = Key });
        var noKey = validator.Validate(null, new MqttTlsOptions { CertificatePath = Cert });
        var good = validator.Validate(null, new MqttTlsOptions { CertificatePath = Cert, KeyPath = Key });

        Assert.Contains("Mqtt:Tls:KeyPath", Assert.Single(mismatch.Failures!), StringComparison.Ordinal);
        Assert.Contains("Mqtt:Tls:CertificatePath", Assert.Single(missing.Failures!), StringComparison.Ordinal);
        Assert.Contains("Mqtt:Tls:KeyPath", Assert.Single(noKey.Failures!), StringComparison.Ordinal);
        Assert.True(good.Succeeded, good.FailureMessage);
        Assert.DoesNotContain("PRIVATE KEY", mismatch.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_gateway_does_not_start_with_a_TLS_key_that_does_not_match()
    {
        var settings = Tls(FreePort.Next());
        settings["Mqtt:Tls:KeyPath"] = Cert; // a certificate where the key should be
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => InProcessGateway.StartAsync(settings: settings));
        Assert.Contains("Mqtt:Tls:KeyPath", error.Message, StringComparison.Ordinal);
    }
}
