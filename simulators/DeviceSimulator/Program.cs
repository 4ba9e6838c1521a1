using System.Runtime.InteropServices;

namespace Vitals.Simulators.DeviceSimulator;

/// <summary>
/// Entry point. A namespaced class rather than top-level statements: the test project references this executable and
/// the gateway's, and two global <c>Program</c> types would be ambiguous there.
/// </summary>
internal static class Program
{
    /// <returns>0 every publish acknowledged, 1 a connection or publish failed, 2 bad usage.</returns>
    public static async Task<int> Main(string[] args)
    {
        if (!SimulatorOptions.TryParse(args, out var options, out var error))
        {
            Console.Error.WriteLine($"device-simulator: {error}");
            return 2;
        }
        if (options.Help)
        {
            Console.Out.WriteLine(SimulatorOptions.Usage);
            return 0;
        }
        if (options.ListDevices)
        {
            foreach (var device in DeviceFleet.Create(options.IdPrefix, options.Kinds, options.Devices))
            {
                Console.Out.WriteLine(device.Id);
            }
            return 0;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancel.Cancel();
        });

        try
        {
            var report = await new SimulatorRunner(options, TimeProvider.System, Console.Error).RunAsync(cancel.Token);
            Console.Error.WriteLine($"device-simulator: sent {report.Sent} acked {report.Acked} failed {report.Failed} in {report.DurationSeconds} s");
            if (options.Report)
            {
                Console.Out.WriteLine(report.ToJson());
            }
            return report.Failed == 0 ? 0 : 1;
        }
        catch (SimulatorConnectException ex)
        {
            Console.Error.WriteLine($"device-simulator: {ex.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine("device-simulator: cancelled before the run started");
            return 1;
        }
    }
}
