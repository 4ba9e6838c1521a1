using System.Text.RegularExpressions;
using MQTTnet.Formatter;
using Vitals.Gateway.Ingest.Mqtt;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Tests.Ingest.Mqtt;

namespace Vitals.Gateway.Tests.Cli;

/// <summary><c>devices credentials</c> run as the operator runs it, against the store of a running gateway.</summary>
public sealed partial class DevicesCredentialsCommandTests
{
    private static async Task<(int Exit, IReadOnlyList<string> Output)> CliAsync(InProcessGateway gateway, params string[] args)
    {
        await using var cli = ProcessRunner.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "Vitals.Gateway.dll"), .. args],
            AppContext.BaseDirectory, new Dictionary<string, string?> { ["Storage__Path"] = gateway.StorePath, ["DOTNET_NOLOGO"] = "1" }, "gateway-cli");
        var exit = await cli.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exit, cli.StandardOutputLines);
    }

    [GeneratedRegex("^password: ([A-Za-z0-9_-]{43})$")]
    private static partial Regex PasswordLine();

    [Fact]
    public async Task Credentials_are_printed_once_stored_hashed_rotated_and_revoked()
    {
        await using var gateway = await InProcessGateway.StartAsync(settings: new Dictionary<string, string?> { ["Mqtt:Authentication"] = "Required" });

        var (exit, output) = await CliAsync(gateway, "devices", "credentials", "--device", "cuff-7");
        Assert.Equal(0, exit);
        Assert.Equal("username: cuff-7", output[0]);
        var secret = PasswordLine().Match(output[1]).Groups[1].Value;
        Assert.NotEmpty(secret);
        var stored = await gateway.Store.Credentials.FindHashAsync("cuff-7", default);
        Assert.True(MosquittoPasswordHash.TryParse(stored, out var hash));
        Assert.Equal(MqttOptions.DefaultCredentialIterations, hash.Iterations);
        Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        using (var c = await MqttClients.ConnectAsync(gateway.MqttPort, MqttProtocolVersion.V500, "", ("cuff-7", secret))) Assert.True(c.IsConnected);

        var (_, rotated) = await CliAsync(gateway, "devices", "credentials", "--device", "cuff-7");
        var newSecret = PasswordLine().Match(rotated[1]).Groups[1].Value;
        Assert.NotEqual(secret, newSecret);
        await Assert.ThrowsAnyAsync<Exception>(() => MqttClients.ConnectAsync(gateway.MqttPort, MqttProtocolVersion.V500, "", ("cuff-7", secret)));

        Assert.Equal(0, (await CliAsync(gateway, "devices", "credentials", "--device", "cuff-7", "--revoke")).Exit);
        await Assert.ThrowsAnyAsync<Exception>(() => MqttClients.ConnectAsync(gateway.MqttPort, MqttProtocolVersion.V500, "", ("cuff-7", newSecret)));
        Assert.Equal(2, (await CliAsync(gateway, "devices", "credentials", "--device", "cuff-7", "--revoke")).Exit);
    }
}
