using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vitals.Simulators.BleSimulator.Bluez;

namespace Vitals.Simulators.BleSimulator;

/// <summary>
/// Entry point. A namespaced class rather than top-level statements: the test project references this executable
/// and others, and two global <c>Program</c> types would be ambiguous there.
/// </summary>
internal static class Program
{
    /// <returns>0 stopped by SIGTERM/Ctrl-C, 1 the bus could not be served, 2 bad usage.</returns>
    public static async Task<int> Main(string[] args)
    {
        if (!BleSimulatorOptions.TryParse(args, out var options, out var error))
        {
            Console.Error.WriteLine($"ble-simulator: {error}");
            return 2;
        }
        if (options.Help)
        {
            Console.Out.WriteLine(BleSimulatorOptions.Usage);
            return 0;
        }
        var level = Environment.GetEnvironmentVariable("BLESIM_LOG_LEVEL") is { } text && Enum.TryParse<LogLevel>(text, true, out var parsed)
            ? parsed
            : LogLevel.Information;

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });

        using var loggerFactory = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => o.SingleLine = true)
            .SetMinimumLevel(level)
            .Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        var logger = loggerFactory.CreateLogger("ble-simulator");
        await using var daemon = new Bluetoothd(options, TimeProvider.System, TimeZoneInfo.Local, logger);
        try
        {
            await daemon.StartAsync();
        }
        catch (Exception ex) when (ex is Tmds.DBus.Protocol.DBusConnectionException or Tmds.DBus.Protocol.DBusExceptionBase or InvalidOperationException or ArgumentException)
        {
            Console.Error.WriteLine($"ble-simulator: cannot serve org.bluez on {options.Bus}: {ex.Message}");
            return 1;
        }
        var (app, baseUrl) = await ControlApi.StartAsync(daemon, options.ControlPort, level);
        await using (app)
        {
            Console.Out.WriteLine($"ble-simulator ready bus={options.Bus} control={baseUrl}");
            Console.Out.Flush();
            using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
            try
            {
                while (await ticker.WaitForNextTickAsync(stop.Token))
                {
                    daemon.Control.Tick();
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // SIGTERM or Ctrl-C: stop cleanly.
            }
            await app.StopAsync();
        }
        return 0;
    }
}
