using System.Globalization;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Vitals.Gateway.Ingest.Mqtt;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Ingest.Mqtt;

/// <summary>One reading of a kind, as a device publishes it.</summary>
public sealed record SampleReading(string Kind, string Payload, int Qos)
{
    public string Topic(string deviceId) => $"vitals/{deviceId}/{Kind}";
}

/// <summary>
/// The standard MQTT clients the broker must let in with their defaults, started as real processes (mosquitto_pub,
/// Debian's python3-paho-mqtt) or in-process (MQTTnet); scripts/test.sh installs them.
/// </summary>
public static class MqttClients
{
    /// <summary>One reading of each kind, QoS 0, 1 and 2 in turn; ids make each one a distinct measurement.</summary>
    public static IReadOnlyList<SampleReading> OneOfEachKind(int idBase)
    {
        var time = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture);
        string P(string body, int n) => $$"""{{{body}}, "time": "{{time}}", "id": {{idBase + n}}}""";
        return
        [
            new("body-temperature", P("\"value\": 37.2, \"unit\": \"Cel\"", 1), 0),
            new("blood-pressure", P("\"systolic\": 128, \"diastolic\": 82, \"unit\": \"mmHg\"", 2), 1),
            new("body-weight", P("\"value\": 72.4, \"unit\": \"kg\"", 3), 2),
            new("respiratory-rate", P("\"value\": 16, \"unit\": \"/min\"", 4), 0),
            new("heart-rate", P("\"value\": 64, \"unit\": \"/min\"", 5), 1),
            new("oxygen-saturation", P("\"value\": 97, \"unit\": \"%\"", 6), 2),
        ];
    }

    /// <summary>mosquitto_pub with no -i (a zero-length client id, clean session); returns its exit code.</summary>
    public static async Task<int> MosquittoPubAsync(int port, string protocol, string topic, string payload, int qos,
        (string User, string Password)? credentials = null, bool retain = false)
    {
        List<string> args = ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-V", protocol,
            "-q", qos.ToString(CultureInfo.InvariantCulture), "-t", topic, "-m", payload];
        if (credentials is { } c) args.AddRange(["-u", c.User, "-P", c.Password]);
        if (retain) args.Add("-r");
        await using var p = ProcessRunner.Start("mosquitto_pub", args, name: "mosquitto_pub");
        return await p.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>paho_publish.py under Debian's python3 (its python3-paho-mqtt); returns the exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> PahoPublishAsync(int port, string deviceId, IEnumerable<SampleReading> readings,
        (string User, string Password)? credentials = null)
    {
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var script = Path.Combine(AppContext.BaseDirectory, "TestData", "Mqtt", "paho_publish.py");
        var messages = JsonSerializer.Serialize(readings.Select(r => new { topic = r.Topic(deviceId), payload = r.Payload, qos = r.Qos }));
        await using var p = ProcessRunner.Start(python,
            [script, "127.0.0.1", port.ToString(CultureInfo.InvariantCulture), credentials?.User ?? "", credentials?.Password ?? "", messages], name: "paho");
        var exit = await p.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exit, p.OutputTail);
    }

    public static MqttClientOptionsBuilder Options(int port, MqttProtocolVersion protocol, string clientId = "",
        (string User, string Password)? credentials = null)
    {
        var b = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(clientId)
            .WithProtocolVersion(protocol).WithCleanSession().WithTimeout(TimeSpan.FromSeconds(10));
        if (credentials is { } c) b.WithCredentials(c.User, c.Password);
        return b;
    }

    public static async Task<IMqttClient> ConnectAsync(int port, MqttProtocolVersion protocol, string clientId = "",
        (string User, string Password)? credentials = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(Options(port, protocol, clientId, credentials).Build());
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            client.Dispose();
            throw new InvalidOperationException($"CONNECT refused: {result.ResultCode} {result.ReasonString}");
        }
        return client;
    }

    /// <summary>The CONNACK's result of one connection attempt (the connection is closed again).</summary>
    public static async Task<MqttClientConnectResultCode> ConnectResultAsync(MqttClientOptions options)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(options);
        if (client.IsConnected) await client.DisconnectAsync();
        return result.ResultCode;
    }

    public static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, string topic, string payload, int qos = 1, bool retain = false) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(Encoding.UTF8.GetBytes(payload))
            .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)qos).WithRetainFlag(retain).Build());

    /// <summary>Credentials as <c>devices credentials</c> issues them, straight into the gateway's store.</summary>
    public static async Task<(string User, string Password)> IssueAsync(InProcessGateway gateway, string deviceId)
    {
        var secret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await gateway.Store.Credentials.SetAsync(deviceId, MosquittoPasswordHash.Create(secret, MqttOptions.DefaultCredentialIterations).ToString(),
            DateTimeOffset.UtcNow, default);
        return (deviceId, secret);
    }
}
