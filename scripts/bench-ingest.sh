#!/usr/bin/env bash
# End-to-end performance of the MQTT spine on this machine, with the device simulator as the load generator.
# Prints one JSON line per measurement; docs/performance.md records the figures of a run.
#   bash scripts/bench-ingest.sh            (about 3 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-100000}       # readings for the throughput runs
# Raw broker and gateway alike are measured warm, as long-running services are: WARMUP messages first, untimed (another
# seed), so that the runtime's tiered compilation of the hot paths is not in the figure. WARMUP=0: cold.
WARMUP=${WARMUP:-20000}
source scripts/bench-common.sh
start_gateway() { # $1 store, $2 mqtt port, $3 EHR base
  Storage__Path="$1" Mqtt__Port="$2" Web__Urls="http://127.0.0.1:$(( $2 + 1 ))" Ehr__BaseUrl="$3" \
    Serilog__MinimumLevel__Default=Warning $gw run >"$work/gateway-$2.log" 2>&1 &
  gw_pid=$!; pids+=($gw_pid); wait_port "$2"
}
bind_fleet() { # $1 store, then the simulator's fleet options
  local store=$1; shift; local n=0
  for id in $($sim --list-devices "$@"); do n=$((n+1)); echo "$id"; done >"$work/ids"
  # One CLI process per device would take minutes for 1,000 devices; bind through the CLI for a sample and the rest
  # with the same store API in one process (the benchmark tool's 'bind' verb).
  $bench bind --store "$store" --ids "$work/ids" >/dev/null
}
fleet=(--devices 167 --clients 50)   # 6 kinds x 167 = 1,002 devices over 50 connections
warm() { # $1 port, then the fleet options
  local port=$1; shift
  [ "$WARMUP" -gt 0 ] && $sim --port "$port" "$@" --rate 0 --inflight 100 --count "$WARMUP" --seed 2 >/dev/null 2>&1 || true
}

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

echo "== 1. raw MQTTnet broker pass-through (QoS 1, no gateway), $COUNT messages"
$bench raw-broker --port 19001 >/dev/null & pids+=($!); wait_port 19001
warm 19001 "${fleet[@]}"
$sim --port 19001 "${fleet[@]}" --rate 0 --inflight 100 --count "$COUNT" --report 2>/dev/null | tr -d '\n ' | sed 's/$/\n/' | tee "$work/raw.json"
kill "${pids[-1]}"

echo "== 2. gateway ingest: publish -> committed (unbound devices: quarantine, no delivery competing), $COUNT messages"
start_gateway "$work/ingest.db" 19011 "http://127.0.0.1:9/fhir/R4"
warm 19011 "${fleet[@]}"
$sim --port 19011 "${fleet[@]}" --rate 0 --inflight 100 --count "$COUNT" --report 2>/dev/null | tr -d '\n ' | sed 's/$/\n/' | tee "$work/ingest.json"
kill "$gw_pid"; wait "$gw_pid" 2>/dev/null || true

echo "== 2b. the same with one MQTT connection per device (1,002 connections), raw broker then gateway"
$bench raw-broker --port 19002 >/dev/null & pids+=($!); wait_port 19002
warm 19002 --devices 167 --clients 1002
$sim --port 19002 --devices 167 --clients 1002 --rate 0 --inflight 100 --count "$COUNT" --report 2>/dev/null | tr -d '\n ' | sed 's/$/\n/'
kill "${pids[-1]}"
start_gateway "$work/ingest2.db" 19012 "http://127.0.0.1:9/fhir/R4"
warm 19012 --devices 167 --clients 1002
$sim --port 19012 --devices 167 --clients 1002 --rate 0 --inflight 100 --count "$COUNT" --report 2>/dev/null | tr -d '\n ' | sed 's/$/\n/'
kill "$gw_pid"; wait "$gw_pid" 2>/dev/null || true

echo "== sandbox EHR"
node simulators/SandboxEhr/server.mjs --port 19100 --medplum none >/dev/null 2>"$work/ehr.log" & pids+=($!); wait_port 19100
ehr="http://127.0.0.1:19100/fhir/R4"

echo "== 3. publish -> committed latency at 500 readings/s for 30 s (bound devices, delivering to the sandbox EHR)"
start_gateway "$work/latency.db" 19021 "$ehr"
bind_fleet "$work/latency.db" "${fleet[@]}"
$sim --port 19021 "${fleet[@]}" --rate 500 --duration 30 --report 2>/dev/null | tr -d '\n ' | sed 's/$/\n/'
kill "$gw_pid"; wait "$gw_pid" 2>/dev/null || true

echo "== 4. publish -> EHR 2xx at 50 readings/s for 30 s, and resident memory with 1,002 devices on 1,002 connections"
curl -s -X POST "http://127.0.0.1:19100/\$admin/reset" >/dev/null
start_gateway "$work/delivery.db" 19031 "$ehr"
mem_fleet=(--devices 167 --clients 1002)
bind_fleet "$work/delivery.db" "${mem_fleet[@]}"
$sim --port 19031 "${mem_fleet[@]}" --rate 50 --duration 30 --report 2>/dev/null | tr -d '\n ' | sed 's/$/\n/'
rss=$(awk '/VmRSS/ {print $2}' /proc/"$gw_pid"/status); hwm=$(awk '/VmHWM/ {print $2}' /proc/"$gw_pid"/status)
sleep 3   # let the last readings reach the EHR
echo "{\"gateway_rss_mb\": $((rss / 1024)), \"gateway_peak_rss_mb\": $((hwm / 1024))}"
$bench delivery-latency --store "$work/delivery.db"
kill "$gw_pid"; wait "$gw_pid" 2>/dev/null || true
