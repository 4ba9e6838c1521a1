using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Ingest.Mqtt;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Ingest.Mqtt;

/// <summary>Mqtt:Tls on the embedded broker, with a CA and server certificate made for the test and mosquitto_pub as the client.</summary>
public sealed class BrokerTlsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vg-tls-").FullName;

    private readonly string _ca;
    private readonly string _cert;
    private readonly string _key;

    public BrokerTlsTests() => (_ca, _cert, _key) = TestCertificates.WriteCaAndServer(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Dictionary<string, string?> Tls(int port, bool keepPlain = false) => new()
    {
        ["Mqtt:Tls:CertificatePath"] = _cert,
        ["Mqtt:Tls:KeyPath"] = _key,
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
            "--cafile", _ca, "-h", "localhost", "-p", tlsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
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
            "-h", "127.0.0.1", "-p", gateway.MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", "plain", "-q", "1", "-t", "vitals/plain/body-temperature", "-m", """{"value": 37.1, "unit": "Cel"}""");

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

        var mismatch = validator.Validate(null, new MqttTlsOptions { CertificatePath = _cert, KeyPath = otherKey });
        var missing = validator.Validate(null, new MqttTlsOptions { CertificatePath = Path.Combine(_dir, "nope.pem"), KeyPath = _key });
        var noKey = validator.Validate(null, new MqttTlsOptions { CertificatePath = _cert });
        var good = validator.Validate(null, new MqttTlsOptions { CertificatePath = _cert, KeyPath = _key });

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
        settings["Mqtt:Tls:KeyPath"] = _cert; // a certificate where the key should be
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => InProcessGateway.StartAsync(settings: settings));
        Assert.Contains("Mqtt:Tls:KeyPath", error.Message, StringComparison.Ordinal);
    }
}
