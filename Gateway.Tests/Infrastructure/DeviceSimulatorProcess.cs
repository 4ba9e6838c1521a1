using System.Globalization;
using System.Text.Json;

namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>The MQTT device simulator as its own process, as an engineer runs it; its --report JSON is the result.</summary>
public static class DeviceSimulatorProcess
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "Vitals.DeviceSimulator.dll");

    public static ProcessRunner Start(int mqttPort, params string[] args) =>
        ProcessRunner.Start("dotnet", [Dll, "--port", mqttPort.ToString(CultureInfo.InvariantCulture), "--report", .. args], AppContext.BaseDirectory, name: "device-simulator");

    /// <summary>Waits for the simulator to finish and parses its report.</summary>
    public static async Task<JsonElement> ReportAsync(ProcessRunner simulator, TimeSpan timeout)
    {
        var exit = await simulator.WaitForExitAsync(timeout).ConfigureAwait(false);
        var json = string.Join('\n', simulator.StandardOutputLines);
        Assert.True(exit == 0, $"device simulator exited {exit}: {simulator.OutputTail}");
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    /// <summary>The device ids a run with these options publishes from (--list-devices).</summary>
    public static async Task<IReadOnlyList<string>> DeviceIdsAsync(params string[] args)
    {
        await using var list = ProcessRunner.Start("dotnet", [Dll, "--list-devices", .. args], AppContext.BaseDirectory, name: "device-simulator-list");
        await list.WaitForExitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        return [.. list.StandardOutputLines.Where(l => l.Length > 0)];
    }
}
