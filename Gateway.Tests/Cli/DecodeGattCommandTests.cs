using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Cli;

/// <summary><c>decode --gatt</c> runs the gateway executable's own decoder and mapper on a characteristic value.</summary>
public sealed class DecodeGattCommandTests
{
    private static readonly string GatewayDll = Path.Combine(AppContext.BaseDirectory, "Vitals.Gateway.dll");

    [Fact]
    public async Task A_weight_measurement_becomes_a_bodyweight_observation()
    {
        var (exit, output, _) = await DecodeAsync("--gatt", "2a9d", "--hex", "00 B0 36", "--patient", "Patient/123");

        Assert.Equal(0, exit);
        Assert.Contains("http://hl7.org/fhir/StructureDefinition/bodyweight", output, StringComparison.Ordinal);
        Assert.Contains("\"value\": 70.000", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_blood_pressure_measurement_exits_2_naming_the_byte()
    {
        var (exit, _, error) = await DecodeAsync("--gatt", "2a35", "--hex", "02 78 00 50 00 5D 00 EA 07");

        Assert.Equal(2, exit);
        Assert.Contains("0x2A35 byte 7: truncated: the time stamp (flag b1) needs 7 bytes, 2 remain", error, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output, string Error)> DecodeAsync(params string[] args)
    {
        var directory = Directory.CreateTempSubdirectory("decode-gatt-");
        try
        {
            var environment = new Dictionary<string, string?>
            {
                ["Storage__Path"] = Path.Combine(directory.FullName, "gateway.db"),
                ["Ingest__TimeZone"] = "UTC",
            };
            await using var cli = ProcessRunner.Start("dotnet", [GatewayDll, "decode", .. args], AppContext.BaseDirectory, environment, "decode-gatt");
            var exit = await cli.WaitForExitAsync(TimeSpan.FromSeconds(60));
            return (exit, string.Join('\n', cli.StandardOutputLines), cli.StandardErrorTail);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
