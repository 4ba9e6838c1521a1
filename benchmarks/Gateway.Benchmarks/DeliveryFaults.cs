using System.Globalization;
using Vitals.Gateway.Delivery;

namespace Vitals.Gateway.Benchmarks;

/// <summary>
/// Delivery against a throttling or slow EHR (issue 12), through <see cref="FaultProxy"/> in front of the sandbox EHR,
/// each run from a fresh store and a reset EHR, all in the same process (<see cref="DeliveryThroughput"/>'s run):
///   throttle: N readings of D devices, fhir-transaction with the defaults, once with nothing in the way and once with
///             every n-th write answered 429 + Retry-After; prints both times and their ratio (limit: 2).
///   slow:     the same with L ms added per request and Ehr:Timeout T s; prints the time and the Bundle size flow control
///             ended at (Bundles shrink, everything is delivered).
///   latency:  single-post vs fhir-transaction with L ms added per request; prints the ratio of Observations/s (limit: 5).
///   delivery-faults --ehr http://127.0.0.1:19200/fhir/R4 --scenario throttle|slow|latency [--count 2000] [--devices 20]
///                   [--every 4] [--retry-after 1] [--latency-ms 300] [--timeout-s 2]
/// Each run checks that the EHR holds exactly the readings delivered, and that nothing became a dead letter.
/// </summary>
internal static class DeliveryFaults
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Int(string name, int fallback) => Arg(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var ehr = Arg("--ehr") ?? throw new ArgumentException("--ehr <FHIR base of the sandbox EHR> is required");
        var scenario = Arg("--scenario") ?? "throttle";
        var count = Int("--count", 2000);
        var devices = Int("--devices", 20);
        var defaults = new EhrOptions();
        await using var proxy = await FaultProxy.StartAsync(ehr);

        async Task<(double Seconds, int Observations)> Run(string name, EhrProfile profile, Action<EhrOptions>? configure = null)
        {
            var (observations, seconds, inEhr, batch) = await DeliveryThroughput.RunProfileAsync(
                ehr, profile, count, devices, defaults.Batch.MaxSize, defaults.MaxConcurrency, proxy.BaseUrl, configure);
            if (inEhr != observations || observations != count)
                throw new InvalidOperationException($"{name}: {observations} delivered, {inEhr} in the EHR, {count} expected");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"run\": \"{name}\", \"profile\": \"{EhrProfileConverter.ToName(profile)}\", \"readings\": {count}, \"devices\": {devices}, \"in_ehr\": {inEhr}, \"throttled\": {proxy.Throttled}, \"latency_ms\": {proxy.Latency.TotalMilliseconds}, \"seconds\": {seconds:F2}, \"observations_per_s\": {observations / seconds:F1}, \"final_batch\": {batch.Final}, \"smallest_batch\": {batch.Smallest}}}"));
            return (seconds, observations);
        }

        switch (scenario)
        {
            case "throttle":
            {
                var plain = await Run("unthrottled", EhrProfile.FhirTransaction);
                proxy.ThrottleEvery = Int("--every", 4);
                proxy.RetryAfterSeconds = Int("--retry-after", 1);
                var throttled = await Run("throttled", EhrProfile.FhirTransaction);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"throttled_over_unthrottled\": {throttled.Seconds / plain.Seconds:F2}, \"limit\": 2}}"));
                break;
            }
            case "slow":
            {
                proxy.Latency = TimeSpan.FromMilliseconds(Int("--latency-ms", 300));
                var timeout = TimeSpan.FromSeconds(Int("--timeout-s", 2));
                await Run("slow", EhrProfile.FhirTransaction, o => o.Timeout = timeout);
                break;
            }
            case "latency":
            {
                proxy.Latency = TimeSpan.FromMilliseconds(Int("--latency-ms", 20));
                var single = await Run("single-post", EhrProfile.SinglePost);
                var tx = await Run("fhir-transaction", EhrProfile.FhirTransaction);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"latency_ms\": {proxy.Latency.TotalMilliseconds}, \"transaction_over_single_post\": {(tx.Observations / tx.Seconds) / (single.Observations / single.Seconds):F2}, \"limit\": 5}}"));
                break;
            }
            default:
                throw new ArgumentException($"unknown scenario {scenario} (throttle, slow, latency)");
        }
        return 0;
    }
}
