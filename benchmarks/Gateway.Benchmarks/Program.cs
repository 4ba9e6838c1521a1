using BenchmarkDotNet.Running;
using Vitals.Gateway.Benchmarks;

// "raw-broker": a bare MQTTnet broker, the pass-through baseline the gateway's ingest is compared with (scripts/bench-ingest.sh).
// "delivery-latency": publish -> EHR 2xx percentiles read from a gateway store after a run.
// "delivery-throughput": Observations/s into the sandbox EHR per Ehr:Profile in one run, and their ratio.
// "delivery-faults": delivery through a throttling or slow proxy in front of the sandbox EHR (scripts/bench-delivery-faults.sh).
// "fault-proxy": FaultProxy as a process of its own in front of the sandbox EHR, for whole gateways (scripts/bench-fleet.sh).
// "validator-memory": RSS and managed heap before and after the pre-send validator has compiled every profile.
// "ble-latency": BLE indication received -> committed percentiles with the BLE simulator on a private dbus-daemon.
// "bind": bind a simulated fleet (one device id a line) to one patient each, through the store API.
// "store-insert": the raw store insert rate, SQLite and PostgreSQL, the same batch sizes (scripts/bench-store.sh).
// "credentials-fleet": give a simulated fleet MQTT credentials (one password, a salt each), through the store API.
// Anything else: BenchmarkDotNet (dotnet run -c Release --project benchmarks/Gateway.Benchmarks -- --filter '*').
return args.FirstOrDefault() switch
{
    "raw-broker" => await RawBroker.RunAsync(args[1..]),
    "delivery-latency" => DeliveryLatency.Run(args[1..]),
    "bind" => await BindFleet.RunAsync(args[1..]),
    "store-insert" => await StoreInsert.RunAsync(args[1..]),
    "credentials-fleet" => await CredentialsFleet.RunAsync(args[1..]),
    "delivery-throughput" => await DeliveryThroughput.RunAsync(args[1..]),
    "delivery-faults" => await DeliveryFaults.RunAsync(args[1..]),
    "fault-proxy" => await FaultProxyCommand.RunAsync(args[1..]),
    "validator-memory" => ValidatorMemory.Run(),
    "ble-latency" => await BleLatency.RunAsync(args[1..]),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(DecodeBenchmarks).Assembly).Run(args);
    return 0;
}
