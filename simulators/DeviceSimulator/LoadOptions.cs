using System.Globalization;

namespace Vitals.Simulators.DeviceSimulator;

/// <summary>
/// The <c>load</c> verb's command line: the simulator's own options (devices, rate, duration, connections, ...) plus
/// what the load run measures besides publish -> committed. <see cref="TryParse"/> never throws on user input.
/// </summary>
public sealed record LoadOptions
{
    public required SimulatorOptions Simulator { get; init; }
    /// <summary>The gateway's process id: its resident memory is sampled from /proc.</summary>
    public int? GatewayPid { get; init; }
    /// <summary>The gateway's SQLite store: committed -> EHR acknowledged is read from its delivered_at.</summary>
    public string? StorePath { get; init; }
    /// <summary>One resident-memory sample for the report every this long.</summary>
    public TimeSpan SampleEvery { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Samples before this are left out of the spread (start-up).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.Zero;
    /// <summary>After publishing, how long to wait for the gateway to deliver what was committed.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(60);
    public bool Help { get; init; }

    public const string Usage = """
        usage: dotnet run --project simulators/DeviceSimulator -- load --duration T [simulator options] [load options]
        Runs the fleet (--devices per kind x kinds, on --clients connections) at --rate R readings/s for T seconds,
        shows a progress line every second, and prints a JSON report on stdout: throughput, p50/p95/p99 per stage
        (publish -> committed from the PUBACKs; committed -> EHR acknowledged with --store), the gateway's peak and
        sampled resident memory (with --gateway-pid).
          --gateway-pid PID   sample the gateway's VmRSS from /proc/PID/status; its VmHWM is the peak
          --store PATH        the gateway's SQLite store: per reading, PUBACK time -> delivered_at (the EHR's 2xx)
          --sample-every S    one memory sample for the report every S seconds (10)
          --warmup S          leave samples of the first S seconds out of the memory spread (0)
          --drain S           after publishing, wait up to S seconds for deliveries (60; with --store)
        The simulator's options (see --help without 'load') apply; --report is implied.
        """;

    public static bool TryParse(IReadOnlyList<string> args, out LoadOptions options, out string error)
    {
        var rest = new List<string>();
        int? pid = null;
        string? store = null;
        var sampleEvery = TimeSpan.FromSeconds(10);
        var warmup = TimeSpan.Zero;
        var drain = TimeSpan.FromSeconds(60);
        options = new LoadOptions { Simulator = new SimulatorOptions() };
        error = "";
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h")
            {
                options = options with { Help = true };
                return true;
            }
            if (name is not ("--gateway-pid" or "--store" or "--sample-every" or "--warmup" or "--drain"))
            {
                rest.Add(name);
                continue;
            }
            if (i + 1 >= args.Count)
            {
                error = $"{name} needs a value";
                return false;
            }
            var text = args[++i];
            switch (name)
            {
                case "--gateway-pid":
                    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p <= 0)
                    {
                        error = $"--gateway-pid must be a process id, got '{text}'";
                        return false;
                    }
                    pid = p;
                    break;
                case "--store":
                    if (text.Length == 0)
                    {
                        error = "--store must name the gateway's store file";
                        return false;
                    }
                    store = text;
                    break;
                case "--sample-every":
                    if (!TrySeconds(name, text, 1, out sampleEvery, out error)) return false;
                    break;
                case "--warmup":
                    if (!TrySeconds(name, text, 0, out warmup, out error)) return false;
                    break;
                case "--drain":
                    if (!TrySeconds(name, text, 0, out drain, out error)) return false;
                    break;
            }
        }
        if (!SimulatorOptions.TryParse(rest, out var simulator, out error)) return false;
        if (simulator.Duration is null)
        {
            error = "load needs --duration T (seconds)";
            return false;
        }
        if (simulator.ListDevices)
        {
            error = "--list-devices is not a load option";
            return false;
        }
        options = new LoadOptions
        {
            Simulator = simulator with { Report = true },
            GatewayPid = pid,
            StorePath = store,
            SampleEvery = sampleEvery,
            Warmup = warmup,
            Drain = drain,
        };
        return true;
    }

    private static bool TrySeconds(string name, string text, double min, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        error = "";
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) || seconds < min || seconds > 86_400)
        {
            error = $"{name} must be a number of seconds between {min.ToString(CultureInfo.InvariantCulture)} and 86400, got '{text}'";
            return false;
        }
        value = TimeSpan.FromSeconds(seconds);
        return true;
    }
}
