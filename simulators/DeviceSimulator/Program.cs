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
        if (args.Length > 0 && args[0] == "load")
        {
            return await LoadAsync(args[1..]).ConfigureAwait(false);
        }
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
        using var sigterm = CancelOnSignals(cancel);

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

    /// <summary>The <c>load</c> verb (<see cref="LoadRunner"/>): 0 every publish acknowledged, 1 a failure, 2 bad usage.</summary>
    private static async Task<int> LoadAsync(string[] args)
    {
        if (!LoadOptions.TryParse(args, out var options, out var error))
        {
            Console.Error.WriteLine($"device-simulator load: {error}");
            return 2;
        }
        if (options.Help)
        {
            Console.Out.WriteLine(LoadOptions.Usage);
            return 0;
        }
        using var cancel = new CancellationTokenSource();
        using var sigterm = CancelOnSignals(cancel);
        var progress = new LoadProgress(Console.Error, terminal: !Console.IsErrorRedirected, plainEvery: options.SampleEvery);
        try
        {
            var report = await new LoadRunner(options, TimeProvider.System, Console.Error, progress).RunAsync(cancel.Token);
            Console.Out.WriteLine(report.ToJson());
            return report.Failed == 0 ? 0 : 1;
        }
        catch (SimulatorConnectException ex)
        {
            progress.Done();
            Console.Error.WriteLine($"device-simulator load: {ex.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            progress.Done();
            Console.Error.WriteLine("device-simulator load: cancelled before the run started");
            return 1;
        }
    }

    /// <summary>Ctrl-C and SIGTERM stop the run (what is in flight is still awaited and reported).</summary>
    private static PosixSignalRegistration CancelOnSignals(CancellationTokenSource cancel)
    {
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancel.Cancel();
        });
    }
}
