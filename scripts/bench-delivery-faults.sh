#!/usr/bin/env bash
# Delivery against a throttling and a slow EHR (issue 12), through a proxy inside the benchmark in front of the sandbox
# EHR: 2,000 readings of 20 devices, fhir-transaction with the defaults.
#   1. every 4th write answered 429 + Retry-After: 1, against the same run without: all delivered once, ratio <= 2.
#   2. 300 ms added per request and Ehr:Timeout 2 s: Bundles shrink, everything delivered once.
#   3. single-post vs fhir-transaction with 20 ms added per request, then 0 ms: ratio of Observations/s (>= 5 at 20 ms).
# Prints JSON lines; docs/performance.md records the figures of a run.
#   bash scripts/bench-delivery-faults.sh       (a few minutes)     COUNT=2000 DEVICES=20 change the load
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-2000}
DEVICES=${DEVICES:-20}
source scripts/bench-common.sh

node simulators/SandboxEhr/server.mjs --port 19220 >/dev/null 2>"$work/ehr.log" & pids+=($!); wait_port 19220
ehr="http://127.0.0.1:19220/fhir/R4"
load=(--ehr "$ehr" --count "$COUNT" --devices "$DEVICES")

echo "== 1. every 4th write 429 + Retry-After: 1, against no throttling"
$bench delivery-faults "${load[@]}" --scenario throttle --every 4 --retry-after 1
echo "== 2. 300 ms added per request, Ehr:Timeout 2 s"
$bench delivery-faults "${load[@]}" --scenario slow --latency-ms 300 --timeout-s 2
echo "== 3. single-post vs fhir-transaction, 20 ms then 0 ms added per request"
$bench delivery-faults "${load[@]}" --scenario latency --latency-ms 20
$bench delivery-faults "${load[@]}" --scenario latency --latency-ms 0
