#!/usr/bin/env bash
# Memory soak (issue 13, "Memory"): 1,002 bound devices, one MQTT connection each, publish RATE readings/s (500) for
# DURATION seconds (600) through the embedded broker, and the gateway delivers them to the sandbox EHR (its default
# profile, fhir-transaction). The simulator's load verb samples the gateway's VmRSS every EVERY seconds (10) and prints
# one JSON report: throughput, publish -> committed and committed -> EHR acknowledged percentiles, the RSS series,
# its spread after WARMUP seconds (60) and the peak (VmHWM).
#   bash scripts/bench-soak.sh                     (about DURATION + 1-2 minutes)
#   DURATION=120 bash scripts/bench-soak.sh        (a short run)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-600}
RATE=${RATE:-500}
EVERY=${EVERY:-10}
WARMUP=${WARMUP:-60}
# The sandbox keeps every Observation in memory; emptied every RESET_EVERY seconds (0 = never) so that its own growth
# does not slow it down over the soak. The gateway's figures do not depend on what the sandbox keeps.
RESET_EVERY=${RESET_EVERY:-60}
# EHR_ARGS go to the sandbox. By default it emulates Medplum, whose write quota (500 writes a minute) holds delivery
# to about 8 readings/s: the backlog then grows by about 490 readings/s, the case where memory must stay bounded while
# the outbox grows on disk. EHR_ARGS="--medplum none" gives an EHR without the quota, which keeps up where the machine
# lets it.
EHR_ARGS=${EHR_ARGS:-}
# BIND=0 leaves the devices unbound: readings go to quarantine and nothing is delivered (ingest alone).
BIND=${BIND:-1}
source scripts/bench-common.sh

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

node simulators/SandboxEhr/server.mjs --port 19300 $EHR_ARGS >/dev/null 2>"$work/ehr.log" & pids+=($!); wait_port 19300
ehr="http://127.0.0.1:19300/fhir/R4"

fleet=(--devices 167 --clients 1002)   # 6 kinds x 167 = 1,002 devices, one connection each
Storage__Path="$work/soak.db" Mqtt__Port=19311 Web__Urls="http://127.0.0.1:19312" Ehr__BaseUrl="$ehr" \
  Serilog__MinimumLevel__Default=Warning $gw run >"$work/gateway.log" 2>&1 &
gw_pid=$!; pids+=($gw_pid); wait_port 19311
if [ "$BIND" = 1 ]; then
  $sim --list-devices "${fleet[@]}" >"$work/ids"
  $bench bind --store "$work/soak.db" --ids "$work/ids" >/dev/null
fi

if [ "$RESET_EVERY" -gt 0 ]; then
  (while sleep "$RESET_EVERY"; do curl -s -X POST "http://127.0.0.1:19300/\$admin/reset" >/dev/null || true; done) & pids+=($!)
fi

echo "== soak: ${RATE} readings/s for ${DURATION} s, gateway pid $gw_pid, devices bound: $BIND, sandbox: ${EHR_ARGS:-Medplum emulation}"
$sim load --port 19311 "${fleet[@]}" --rate "$RATE" --duration "$DURATION" --inflight 16 \
  --gateway-pid "$gw_pid" $([ "$BIND" = 1 ] && echo --store "$work/soak.db") --sample-every "$EVERY" --warmup "$WARMUP" --drain 60 | tee "$work/soak.json" || status=$?
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "${status:-0}"
