# Sourced by the bench-*.sh scripts (from the repository root): a scratch folder and child processes cleaned up on
# exit, a Release build, the sandbox EHR's packages, the built executables, and a wait for a loopback port.
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

dotnet build Gateway.sln -c Release -nologo -v q >/dev/null
bash simulators/SandboxEhr/install.sh
bin=Release/net10.0
gw="dotnet Gateway/bin/$bin/Vitals.Gateway.dll"
sim="dotnet simulators/DeviceSimulator/bin/$bin/Vitals.DeviceSimulator.dll"
bench="dotnet benchmarks/Gateway.Benchmarks/bin/$bin/Gateway.Benchmarks.dll"
wait_port() { for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }

# Load tests drive one gateway with a fleet's worth of connections as fast as it commits: the embedded broker's
# Mqtt:Limits are sized for a clinic here (README "Sizing the embedded broker for a clinic"), not a home hub, so that
# the figures measure ingest, not the per-connection rate limit.
export Mqtt__Limits__MaxConnections=2000 Mqtt__Limits__PublishesPerSecond=1000000 Mqtt__Limits__PublishBurst=1000000 \
  Mqtt__Limits__ReceiveMaximum=65535
