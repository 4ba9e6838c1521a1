#!/usr/bin/env bash
# End to end on one machine with the embedded defaults: the sandbox EHR, the gateway (embedded broker), simulated
# MQTT devices bound to patients, four simulated Bluetooth LE devices (the BLE simulator serving org.bluez on a private
# dbus-daemon, paired and bound), and a running count of what reached the EHR. Ctrl-C stops everything.
#   DEVICES=2 RATE=5 BLE=1 BLE_INTERVAL=10 bash scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${DEVICES:-2}        # simulated devices per kind
RATE=${RATE:-5}              # readings per second in total
EHR_PORT=${EHR_PORT:-8103}   # appsettings.json's Ehr:BaseUrl points here
BLE=${BLE:-1}                # 0: MQTT devices only
BLE_INTERVAL=${BLE_INTERVAL:-10}   # seconds between readings of each BLE device
export Storage__Path=${Storage__Path:-data/demo.db}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if [ "$BLE" = 1 ] && ! command -v dbus-daemon >/dev/null 2>&1; then
  # As scripts/test.sh installs it; without it (no apt, no root) the demo runs without the BLE part.
  echo "== installing dbus-daemon (apt) for the BLE simulator's private bus"
  if ! { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends dbus-daemon >/dev/null; }; then
    echo "   dbus-daemon could not be installed: running without Bluetooth LE devices" >&2
    BLE=0
  fi
fi

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

if [ "$BLE" = 1 ]; then
  echo "== Bluetooth LE: private dbus-daemon + BLE simulator (it is bluetoothd for the gateway)"
  ble_dir=$(mktemp -d)
  dbus-daemon --session --nofork --print-address=1 >"$ble_dir/bus" &
  pids+=($!)
  for _ in $(seq 1 50); do [ -s "$ble_dir/bus" ] && break; sleep 0.1; done
  bus=$(head -n 1 "$ble_dir/bus")
  dotnet simulators/BleSimulator/bin/Release/net10.0/Vitals.BleSimulator.dll --bus "$bus" --control-port 0 \
    --interval "$BLE_INTERVAL" >"$ble_dir/simulator.out" 2>"$ble_dir/simulator.log" &
  pids+=($!)
  for _ in $(seq 1 100); do grep -q '^ble-simulator ready' "$ble_dir/simulator.out" 2>/dev/null && break; sleep 0.2; done
  grep '^ble-simulator ready' "$ble_dir/simulator.out"
  export Ble__Enabled=true Ble__DBusAddress="$bus"
  # The four contract devices (thermometer, blood-pressure monitor, scale, GHS respiration sensor) display 123456.
  for n in 1 2 3 4; do
    address="C0:FF:EE:00:00:0$n"
    $gw devices pair "$address" --passkey 123456 >/dev/null
    $gw devices bind --device "$address" --patient "Patient/demo-ble-$n" >/dev/null
  done
fi
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
  ble=""
  [ "$BLE" = 1 ] && ble="; BLE devices connected: $(curl -sf http://127.0.0.1:5080/api/status | grep -o '"connected":true' | wc -l)"
  echo "EHR has ${count:-?} Observations; gateway: $($gw outbox status | tr -s ' ' | paste -sd' ' -)$ble"
done
