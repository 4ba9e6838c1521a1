#!/usr/bin/env bash
# A/B of ingest throughput between an older revision and the working tree, alternating (old, new, old, new, ...) so
# that the machine's drift hits both alike: publish -> committed, 1,002 unbound devices on 50 connections, QoS 1.
#   bash scripts/bench-ab-ingest.sh <old-rev> [rounds=2] [count=60000]
set -euo pipefail
cd "$(dirname "$0")/.."
old_rev=${1:?usage: scripts/bench-ab-ingest.sh <old-rev> [rounds] [count]}
rounds=${2:-2}
count=${3:-60000}
work=$(mktemp -d)
cleanup() { git worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

git worktree add --detach "$work/old" "$old_rev" >/dev/null
dotnet build "$work/old/Gateway/Gateway.csproj" -c Release -nologo -v q >/dev/null
dotnet build Gateway.sln -c Release -nologo -v q >/dev/null
sim="dotnet simulators/DeviceSimulator/bin/Release/net10.0/Vitals.DeviceSimulator.dll"

run() { # $1 label, $2 gateway dll, $3 port
  # The new build's Mqtt:Limits sized for a load test, as in bench-common.sh (the old build has none to set).
  Mqtt__Limits__MaxConnections=2000 Mqtt__Limits__PublishesPerSecond=1000000 Mqtt__Limits__PublishBurst=1000000 \
  Mqtt__Limits__ReceiveMaximum=65535 \
  Storage__Path="$work/$1-$3.db" Mqtt__Port="$3" Web__Urls="http://127.0.0.1:$(( $3 + 1 ))" \
    Ehr__BaseUrl="http://127.0.0.1:9/fhir/R4" Serilog__MinimumLevel__Default=Warning dotnet "$2" run >"$work/$1-$3.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/"$3") 2>/dev/null && break; sleep 0.1; done
  printf '%s ' "$1"
  $sim --port "$3" --devices 167 --clients 50 --rate 0 --inflight 100 --count "$count" --report 2>/dev/null \
    | tr -d '\n ' | grep -o '"throughputPerSecond":[0-9.]*' | cut -d: -f2
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
for i in $(seq 1 "$rounds"); do
  run "old($old_rev)" "$work/old/Gateway/bin/Release/net10.0/Vitals.Gateway.dll" $(( 19400 + 20 * i ))
  run "new" "Gateway/bin/Release/net10.0/Vitals.Gateway.dll" $(( 19410 + 20 * i ))
done
