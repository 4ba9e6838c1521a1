#!/usr/bin/env bash
# The broker's front door under load: ingest throughput with Mqtt:Authentication Off and Required in the same run,
# alternating off/on/off/on, 1,002 devices on 1,002 connections (one each, as per-device credentials need), and the
# time 1,002 authenticated clients take to connect. docs/performance.md records the figures of a run.
#   bash scripts/bench-auth.sh            (about 3 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-60000}        # readings per run
ROUNDS=${ROUNDS:-2}
# Seconds between the port opening and the first CONNECT: the gateway's start-up work (hosted services, first JIT)
# would otherwise overlap the first publishes of an Off run, whose connects take well under a second, more than those
# of a Required run, whose 1,002 password checks take seconds.
SETTLE=${SETTLE:-5}
source scripts/bench-common.sh
secret=bench-secret
fleet=(--devices 167 --clients 1002)   # 6 kinds x 167 = 1,002 devices, one connection each

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
$sim --list-devices "${fleet[@]}" >"$work/ids"

run() { # $1 Off|Required, $2 port, $3 run number: prints the simulator's report on one line
  local store="$work/auth-$3.db" creds=()
  # Both modes start from the same store: credentials for every device, issued before the gateway starts.
  $bench credentials-fleet --store "$store" --ids "$work/ids" --password "$secret" >/dev/null
  Storage__Path="$store" Mqtt__Port="$2" Web__Urls="http://127.0.0.1:$(( $2 + 1 ))" Ehr__BaseUrl="http://127.0.0.1:9/fhir/R4" \
    Mqtt__Authentication="$1" Serilog__MinimumLevel__Default=Warning $gw run >"$work/gateway-$2.log" 2>&1 &
  gw_pid=$!; pids+=($gw_pid); wait_port "$2"; sleep "$SETTLE"
  if [ "$1" = Required ]; then creds=(--password-for-all "$secret"); fi
  $sim --port "$2" "${fleet[@]}" "${creds[@]}" --rate 0 --inflight 100 --count "$COUNT" --report 2>"$work/sim-$3.log" \
    | tr -d '\n ' | sed 's/$/\n/'
  kill "$gw_pid"; wait "$gw_pid" 2>/dev/null || true
}

n=0
for round in $(seq 1 "$ROUNDS"); do
  for mode in Off Required; do
    n=$((n+1))
    echo "== round $round, Mqtt:Authentication=$mode: $COUNT readings, QoS 1, 1,002 devices on 1,002 connections"
    run "$mode" $((19200 + 2 * n)) "$n" >"$work/$mode-$round.json"; cat "$work/$mode-$round.json"
  done
done

echo "== summary (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
off=$(cat "$work"/Off-*.json | jq -s 'map(.throughputPerSecond) | add / length')
on=$(cat "$work"/Required-*.json | jq -s 'map(.throughputPerSecond) | add / length')
jq -n --argjson off "$off" --argjson on "$on" \
  --argjson connect_on "$(cat "$work"/Required-*.json | jq -s 'map(.connectSeconds)')" \
  --argjson connect_off "$(cat "$work"/Off-*.json | jq -s 'map(.connectSeconds)')" \
  --argjson failed "$(cat "$work"/*-*.json | jq -s 'map(.failed) | add')" '{
    throughput_off_per_s: ($off | . * 10 | round / 10), throughput_on_per_s: ($on | . * 10 | round / 10),
    ratio_on_off: ($on / $off * 100 | round / 100), ratio_limit: 0.90,
    connect_seconds_on: $connect_on, connect_seconds_off: $connect_off, connect_limit_seconds: 10,
    failed_publishes: $failed }' | tr -d '\n ' | sed 's/$/\n/'
