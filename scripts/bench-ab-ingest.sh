#!/usr/bin/env bash
# A/B of ingest throughput between an older revision and the working tree, alternating (raw, old, new, raw, old, new,
# ...) so that the machine's drift hits all alike: publish -> committed, 1,002 unbound devices on CLIENTS connections
# (50; 1002 = one per device; "50 1002" = both in each round), QoS 1, up to 100 publishes in flight per connection. "raw" is MQTTnet's broker with
# nothing added (the benchmark tool's raw-broker verb), the limit the gateway's ingest is measured against.
#   bash scripts/bench-ab-ingest.sh <old-rev> [rounds=2] [count=60000]
#   CLIENTS="50 1002" bash scripts/bench-ab-ingest.sh <old-rev>
#   OLD_TREE=/path/to/built/checkout bash scripts/bench-ab-ingest.sh <old-rev>
set -euo pipefail
cd "$(dirname "$0")/.."
old_rev=${1:?usage: scripts/bench-ab-ingest.sh <old-rev> [rounds] [count]}
rounds=${2:-2}
count=${3:-60000}
clients=${CLIENTS:-50}
work=$(mktemp -d)
cleanup() { git worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

# OLD_TREE: a checkout of old-rev already built in Release (saves its build on a busy machine).
old_tree=${OLD_TREE:-$work/old}
if [ -z "${OLD_TREE:-}" ]; then
  git worktree add --detach "$work/old" "$old_rev" >/dev/null
  dotnet build "$work/old/Gateway/Gateway.csproj" -c Release -nologo -v q >/dev/null
fi
dotnet build Gateway.sln -c Release -nologo -v q >/dev/null
sim="dotnet simulators/DeviceSimulator/bin/Release/net10.0/Vitals.DeviceSimulator.dll"
bench="dotnet benchmarks/Gateway.Benchmarks/bin/Release/net10.0/Gateway.Benchmarks.dll"
echo "== $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg); $count readings, 1,002 devices on $clients connections"
port=19400

wait_port() { for _ in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
measure() { # $1 label, $2 port, $3 connections: prints "label connections readings/s"
  printf '%s %s ' "$1" "$3"
  $sim --port "$2" --devices 167 --clients "$3" --rate 0 --inflight 100 --count "$count" --report 2>/dev/null \
    | tr -d '\n ' | grep -o '"throughputPerSecond":[0-9.]*' | cut -d: -f2
}
run() { # $1 label, $2 gateway dll, $3 port, $4 connections
  # The new build's Mqtt:Limits sized for a load test, as in bench-common.sh (the old build has none to set).
  Mqtt__Limits__MaxConnections=2000 Mqtt__Limits__PublishesPerSecond=1000000 Mqtt__Limits__PublishBurst=1000000 \
  Mqtt__Limits__ReceiveMaximum=65535 \
  Storage__Path="$work/$1-$3.db" Mqtt__Port="$3" Web__Urls="http://127.0.0.1:$(( $3 + 1 ))" \
    Ehr__BaseUrl="http://127.0.0.1:9/fhir/R4" Serilog__MinimumLevel__Default=Warning dotnet "$2" run >"$work/$1-$3.log" 2>&1 &
  local pid=$!
  wait_port "$3"
  measure "$1" "$3" "$4" || true
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
raw() { # $1 port, $2 connections
  $bench raw-broker --port "$1" >/dev/null &
  local pid=$!
  wait_port "$1"
  measure raw "$1" "$2" || true
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
for i in $(seq 1 "$rounds"); do
  for c in $clients; do
    port=$(( port + 6 ))
    raw "$port" "$c"
    run "old($old_rev)" "$old_tree/Gateway/bin/Release/net10.0/Vitals.Gateway.dll" $(( port + 2 )) "$c"
    run "new" "Gateway/bin/Release/net10.0/Vitals.Gateway.dll" $(( port + 4 )) "$c"
  done
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
