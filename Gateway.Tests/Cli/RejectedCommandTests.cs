using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Cli;

/// <summary><c>rejected list</c> in a terminal, against a gateway process.</summary>
public sealed class RejectedCommandTests
{
    [Fact]
    public async Task A_topic_with_terminal_escapes_is_listed_escaped_on_one_line()
    {
        await using var gateway = await GatewayProcess.StartAsync($"http://127.0.0.1:{FreePort.Next()}/fhir/R4/");
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", gateway.MqttPort)
            .WithClientId("evil\u001b]0;owned\u0007").WithProtocolVersion(MqttProtocolVersion.V500).Build());
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("vitals/\u001b[2J\r\n[12:00:00 INF] all fine")
            .WithPayload(Encoding.UTF8.GetBytes("{}")).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var (exit, output) = await gateway.CliAsync("rejected", "list");

        Assert.Equal(0, exit);
        Assert.DoesNotContain(output, c => c is '\u001b' or '\r' or '\u0007');
        var row = Assert.Single(output.Split('\n'), l => l.Contains("mqtt vitals/", StringComparison.Ordinal));
        Assert.Contains(@"vitals/\x1B[2J\r\n[12:00:00 INF] all fine from client evil\x1B]0;owned\x07", row, StringComparison.Ordinal);
    }
}
