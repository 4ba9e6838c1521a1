using BenchmarkDotNet.Running;
using Vitals.Gateway.Benchmarks;

// "raw-broker": a bare MQTTnet broker, the pass-through baseline the gateway's ingest is compared with (scripts/bench-ingest.sh).
// "delivery-latency": publish -> EHR 2xx percentiles read from a gateway store after a run.
// "ble-latency": BLE indication received -> committed percentiles with the BLE simulator on a private dbus-daemon.
// "bind": bind a simulated fleet (one device id a line) to one patient each, through the store API.
// Anything else: BenchmarkDotNet (dotnet run -c Release --project benchmarks/Gateway.Benchmarks -- --filter '*').
return args.FirstOrDefault() switch
{
    "raw-broker" => await RawBroker.RunAsync(args[1..]),
    "delivery-latency" => DeliveryLatency.Run(args[1..]),
    "bind" => await BindFleet.RunAsync(args[1..]),
    "ble-latency" => await BleLatency.RunAsync(args[1..]),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(DecodeBenchmarks).Assembly).Run(args);
    return 0;
}
