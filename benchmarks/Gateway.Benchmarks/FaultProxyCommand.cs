using System.Globalization;

namespace Vitals.Gateway.Benchmarks;

/// <summary>
/// <see cref="FaultProxy"/> as a process of its own, for scripts that run whole gateway processes against it
/// (scripts/bench-fleet.sh): <c>fault-proxy --ehr http://127.0.0.1:19200/fhir/R4 [--port 0] [--latency-ms 50]
/// [--every 0] [--retry-after 1]</c>. Prints one line with the proxy's FHIR base, then serves until SIGTERM or Ctrl-C.
/// </summary>
internal static class FaultProxyCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        int Int(string name, int fallback) =>
            FleetArgs.Value(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var ehr = FleetArgs.Value(args, "--ehr") ?? throw new ArgumentException("--ehr <FHIR base of the sandbox EHR> is required");
        await using var proxy = await FaultProxy.StartAsync(ehr, Int("--port", 0));
        proxy.Latency = TimeSpan.FromMilliseconds(Int("--latency-ms", 0));
        proxy.ThrottleEvery = Int("--every", 0);
        proxy.RetryAfterSeconds = Int("--retry-after", 1);
        Console.WriteLine($"fault proxy listening on {proxy.BaseUrl}, {proxy.Latency.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms added per request");
        // The web host's console lifetime takes SIGTERM and Ctrl-C (they stop the host rather than end the process).
        await Task.Delay(Timeout.Infinite, proxy.Stopping).ContinueWith(_ => { }, TaskScheduler.Default);
        return 0;
    }
}
