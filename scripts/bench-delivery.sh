#!/usr/bin/env bash
# Delivery into the sandbox EHR (issue 4): Observations/s of single-post vs fhir-transaction in the same run, and
# publish -> EHR 2xx latency at 50 readings/s with batching on (the default profile, fhir-transaction).
# Prints JSON lines; docs/performance.md records the figures of a run.
#   bash scripts/bench-delivery.sh          (about 1-2 minutes)    COUNT=2000 DURATION=30 change the load
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-2000}
DURATION=${DURATION:-30}
source scripts/bench-common.sh

node simulators/SandboxEhr/server.mjs --port 19200 --medplum none >/dev/null 2>"$work/ehr.log" & pids+=($!); wait_port 19200
ehr="http://127.0.0.1:19200/fhir/R4"

echo "== 1. Observations/s into the sandbox EHR, $COUNT readings from the outbox, single-post then fhir-transaction"
$bench delivery-throughput --ehr "$ehr" --count "$COUNT" --profiles single-post,fhir-transaction

echo "== 2. publish -> EHR 2xx at 50 readings/s for $DURATION s, fhir-transaction (Ehr:Batch defaults)"
curl -s -X POST "http://127.0.0.1:19200/\$admin/reset" >/dev/null
Storage__Path="$work/latency.db" Mqtt__Port=19211 Web__Urls="http://127.0.0.1:19212" Ehr__BaseUrl="$ehr" \
  Serilog__MinimumLevel__Default=Warning $gw run >"$work/gateway.log" 2>&1 &
gw_pid=$!; pids+=($gw_pid); wait_port 19211
fleet=(--devices 20 --clients 10)
$sim --list-devices "${fleet[@]}" >"$work/ids"
$bench bind --store "$work/latency.db" --ids "$work/ids" >/dev/null
$sim --port 19211 "${fleet[@]}" --rate 50 --duration "$DURATION" --report 2>/dev/null | tr -d '\n ' | sed 's/$/\n/'
sleep 3   # let the last readings reach the EHR
$bench delivery-latency --store "$work/latency.db"
kill "$gw_pid"; wait "$gw_pid" 2>/dev/null || true
