#!/usr/bin/env bash
# End to end on one machine with the embedded defaults: the sandbox EHR, the gateway (embedded broker), simulated
# MQTT devices bound to patients, and a running count of what reached the EHR. Ctrl-C stops everything.
#   DEVICES=2 RATE=5 bash scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${DEVICES:-2}        # simulated devices per kind
RATE=${RATE:-5}              # readings per second in total
EHR_PORT=${EHR_PORT:-8103}   # appsettings.json's Ehr:BaseUrl points here
export Storage__Path=${Storage__Path:-data/demo.db}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

bash simulators/SandboxEhr/install.sh
dotnet build Gateway.sln -c Release -nologo -v q
gw="dotnet Gateway/bin/Release/net10.0/Vitals.Gateway.dll"

echo "== sandbox EHR on http://127.0.0.1:$EHR_PORT/fhir/R4"
node simulators/SandboxEhr/server.mjs --port "$EHR_PORT" &
pids+=($!)

echo "== binding the simulated devices (one patient per device)"
n=0
for id in $(dotnet simulators/DeviceSimulator/bin/Release/net10.0/Vitals.DeviceSimulator.dll --list-devices --devices "$DEVICES"); do
  n=$((n+1)); $gw devices bind --device "$id" --patient "Patient/demo-$n" >/dev/null
done
$gw devices list

echo "== gateway (embedded broker on 127.0.0.1:1883, status page http://127.0.0.1:5080)"
$gw run &
pids+=($!)
for _ in $(seq 1 60); do curl -sf http://127.0.0.1:5080/healthz >/dev/null && break; sleep 0.5; done

echo "== simulated devices: $DEVICES per kind, $RATE readings/s, 5% malformed (Ctrl-C to stop)"
dotnet simulators/DeviceSimulator/bin/Release/net10.0/Vitals.DeviceSimulator.dll --devices "$DEVICES" --rate "$RATE" --malformed 0.05 &
pids+=($!)

while sleep 5; do
  count=$(curl -sf "http://127.0.0.1:$EHR_PORT/fhir/R4/Observation?_summary=count" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')
  echo "EHR has ${count:-?} Observations; gateway: $($gw outbox status | tr -s ' ' | paste -sd' ' -)"
done
