using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Ingest.Ble;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Benchmarks;

/// <summary>
/// "Indication received -> reading committed" for Bluetooth LE: a private dbus-daemon, the BLE simulator with N devices
/// taking a reading every few seconds, and the gateway in this process (Ble:Enabled on that bus, every device bound).
/// The gateway stamps a value when the D-Bus signal arrives and records the latency when its commit completes
/// (histogram vitals.ble.indication_to_commit); this tool listens to that instrument for the measured window.
/// Prints one JSON line. Usage: ble-latency [--devices 20] [--interval 1] [--seconds 30] [--simulator path.dll]
/// [--set Key=Value ...] (gateway settings, e.g. --set Storage:Synchronous=Normal to see what fsync costs)
/// </summary>
internal static class BleLatency
{
    public static async Task<int> RunAsync(string[] args)
    {
        var devices = Option(args, "--devices", 20);
        var interval = Option(args, "--interval", 1.0);
        var seconds = Option(args, "--seconds", 30.0);
        var simulatorDll = OptionText(args, "--simulator") ?? Path.GetFullPath("simulators/BleSimulator/bin/Release/net10.0/Vitals.BleSimulator.dll");
        if (!File.Exists(simulatorDll))
        {
            await Console.Error.WriteLineAsync($"ble-latency: {simulatorDll} not found (build the solution in Release, or pass --simulator)").ConfigureAwait(false);
            return 2;
        }
        var work = Directory.CreateTempSubdirectory("vg-ble-bench-");
        using var bus = Start("dbus-daemon", ["--session", "--nofork", "--print-address=1"]);
        var address = (await bus.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false))?.Trim()
                      ?? throw new InvalidOperationException("dbus-daemon printed no address");
        using var simulator = Start("dotnet", [simulatorDll, "--bus", address, "--control-port", "0", "--devices", devices.ToString(CultureInfo.InvariantCulture),
            "--interval", interval.ToString(CultureInfo.InvariantCulture)]);
        try
        {
            while (await simulator.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line && !line.StartsWith("ble-simulator ready", StringComparison.Ordinal))
            {
            }
            var overrides = new Dictionary<string, string?>
            {
                ["Storage:Path"] = Path.Combine(work.FullName, "gateway.db"),
                ["Mqtt:Port"] = "19091",
                ["Web:Urls"] = "http://127.0.0.1:19092",
                ["Ehr:BaseUrl"] = "http://127.0.0.1:9/fhir/R4", // nothing listens: delivery does not compete for the store
                // One refused attempt per reading, then no retries within the window: the store serves the commits.
                ["Ehr:Retry:BaseDelay"] = "00:10:00",
                ["Ehr:Retry:MaxDelay"] = "01:00:00",
                ["Ble:Enabled"] = "true",
                ["Ble:DBusAddress"] = address,
                ["Ble:BindingPollInterval"] = "00:00:01",
                ["Serilog:MinimumLevel:Default"] = "Warning",
            };
            for (var i = 0; i < args.Length - 1; i++)
            {
                if (args[i] == "--set" && args[i + 1].Split('=', 2) is [var key, var value]) overrides[key] = value;
            }
            await using var app = GatewayHost.Build([], overrides);
            await app.Services.GetRequiredService<IStoreInitializer>().InitializeAsync(CancellationToken.None).ConfigureAwait(false);
            var bindings = app.Services.GetRequiredService<IDeviceBindings>();
            for (var i = 1; i <= devices; i++)
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"C0:FF:EE:00:{i >> 8:X2}:{i & 0xFF:X2}");
                await bindings.BindAsync(id, null, PatientId.Parse("Patient/bench-" + i.ToString(CultureInfo.InvariantCulture)), DateTimeOffset.UnixEpoch, CancellationToken.None).ConfigureAwait(false);
            }
            await app.StartAsync().ConfigureAwait(false);
            var registry = app.Services.GetRequiredService<BleDeviceRegistry>();
            var connectedBy = Stopwatch.StartNew();
            while (registry.Snapshot().Count(d => d.Connected) < devices)
            {
                if (connectedBy.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"only {registry.Snapshot().Count(d => d.Connected)} of {devices} devices connected");
                await Task.Delay(200).ConfigureAwait(false);
            }
            var connectSeconds = connectedBy.Elapsed.TotalSeconds;

            var latencies = new List<double>();
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == GatewayMetrics.MeterName && instrument.Name == BleMetrics.IndicationToCommit) l.EnableMeasurementEvents(instrument);
            };
            listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
            {
                lock (latencies) latencies.Add(value);
            });
            listener.Start();
            await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
            listener.Dispose();
            await app.StopAsync().ConfigureAwait(false);

            latencies.Sort();
            double P(double q) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"devices\": {devices}, \"interval_s\": {interval}, \"window_s\": {seconds}, \"connect_s\": {connectSeconds:F1}, \"committed\": {latencies.Count}, \"p50_ms\": {P(0.50):F2}, \"p95_ms\": {P(0.95):F2}, \"p99_ms\": {P(0.99):F2}, \"max_ms\": {(latencies.Count == 0 ? double.NaN : latencies[^1]):F2}}}"));
            return latencies.Count == 0 ? 1 : 0;
        }
        finally
        {
            Stop(simulator);
            Stop(bus);
            try { work.Delete(recursive: true); } catch (IOException) { }
        }
    }

    private static Process Start(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.Environment["TZ"] = "UTC";
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"{file} did not start");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
    }

    private static string? OptionText(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static T Option<T>(string[] args, string name, T fallback) where T : IParsable<T> =>
        OptionText(args, name) is { } text ? T.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
