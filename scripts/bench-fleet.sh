#!/usr/bin/env bash
# The two fleet targets of issue 13 in one run, on Debian's mosquitto (the password and ACL files exported from the
# registry, per-device logins) and a throwaway PostgreSQL (docs/performance.md "Fleet"):
#   1. ingest through mosquitto, QoS 1, the same publisher, messages and connections: raw = a plain subscriber
#      (mosquitto_sub on the gateway's account and share group, acknowledging on receipt) vs one gateway instance in
#      fleet mode (shared subscription, PostgreSQL store, acknowledging after commit). Rate = messages from the first
#      to the last receipt at the consumer (mosquitto_sub's timestamps; the store's received_at, every message committed
#      before its PUBACK, the run ends when the store holds them all). Target: gateway >= 0.80 x raw.
#   2. delivery of one backlog (DELIVERY_COUNT readings of the same devices, ingested through mosquitto, quarantined,
#      then released by binding the devices once the instances are up) into the sandbox EHR behind the benchmark's
#      FaultProxy adding LATENCY_MS per request: one instance vs two in one share group on one database (copies of the
#      same backlog). Rate = Observations from the first to the last EHR acknowledgement (delivered_at); every reading
#      checked in the EHR exactly once. Target: two >= 1.8 x one.
# Delivery uses Ehr:Profile=single-post with Ehr:MaxConcurrency at its default (4): one plain POST per Observation, so
# an instance is bound by latency (4 requests in flight / 50 ms = 80 requests/s) as against a hosted EHR. With
# fhir-transaction the sandbox (one Node thread, about 1.3 ms per entry) and not the latency bounds even one
# instance; PROFILE=fhir-transaction runs it that way for comparison.
#   bash scripts/bench-fleet.sh                                   (about 5 minutes on a quiet machine)
#   COUNT=5000 DEVICES=50 DELIVERY_COUNT=800 bash scripts/bench-fleet.sh       (small scale)
#   PARTS=ingest | PARTS=delivery: one part alone; BROKER_INFLIGHT: mosquitto's max_inflight_messages (100)
# Each gateway instance is measured warm, as a long-running service is: before the measured readings it ingests or
# delivers WARMUP readings of devices of its own ("warm-..."), untimed, so that the runtime's compilation of the hot
# paths (tiered JIT, some seconds of CPU per process) is not counted against one or two instances. WARMUP=0: cold.
# PG_EXTRA is appended to each instance's connection string (e.g. ";Max Auto Prepare=32").
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-20000}                  # readings for the ingest pair
DEVICES=${DEVICES:-100}                # devices per kind; two kinds (one Observation a reading), one connection each
DELIVERY_COUNT=${DELIVERY_COUNT:-4000} # the delivery backlog
LATENCY_MS=${LATENCY_MS:-50}
PROFILE=${PROFILE:-single-post}
TIMEOUT=${TIMEOUT:-600}                # seconds any one wait may take
BROKER_INFLIGHT=${BROKER_INFLIGHT:-100} # mosquitto's max_inflight_messages (the test infrastructure's 100)
PARTS=${PARTS:-ingest,delivery}
WARMUP=${WARMUP:-1000}                 # untimed readings of the warm-up devices, per instance start
source scripts/bench-common.sh
start_postgres

secret=bench-device-secret; gw_user=vitals-gateway; gw_secret=bench-gateway-secret
fleet=(--devices "$DEVICES" --kinds body-temperature,body-weight --clients $((2 * DEVICES)) --password-for-all "$secret")
warm=(--id-prefix warm --devices 25 --kinds body-temperature,body-weight --clients 50 --password-for-all "$secret")
mq_port=19301; ehr_port=19310; proxy_port=19311

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== parts $PARTS: $COUNT readings to ingest, $DELIVERY_COUNT to deliver, $((2 * DEVICES)) devices on as many connections, $LATENCY_MS ms added per EHR request, $PROFILE"

# The registry's credentials (one password, a salt each), exported for mosquitto as an operator does.
$sim --list-devices "${fleet[@]}" >"$work/ids"
$sim --list-devices "${warm[@]}" >"$work/warm-ids"
pg_createdb registry
cat "$work/ids" "$work/warm-ids" >"$work/all-ids"
$bench credentials-fleet --connection-string "$(pg_cs registry)" --ids "$work/all-ids" --password "$secret" >/dev/null
mq="$work/mosquitto"; mkdir "$mq"; chmod 755 "$work" "$mq"   # mosquitto reads its files after dropping root
owner=(); [ "$(id -u)" = 0 ] && owner=(--owner mosquitto)
Storage__Provider=Postgres Storage__ConnectionString="$(pg_cs registry)" Mqtt__Password=$gw_secret $gw devices export-mosquitto \
  --passwords "$mq/passwd" --acl "$mq/acl" --gateway-user "$gw_user" "${owner[@]}" >/dev/null
# As the test infrastructure's MosquittoBroker configures it, with the exported files.
cat >"$mq/mosquitto.conf" <<CONF
listener $mq_port 127.0.0.1
max_inflight_messages $BROKER_INFLIGHT
max_queued_messages $(( COUNT > 100000 ? 2 * COUNT : 100000 ))
persistence false
allow_anonymous false
password_file $mq/passwd
acl_file $mq/acl
CONF
/usr/sbin/mosquitto -c "$mq/mosquitto.conf" >"$work/mosquitto.log" 2>&1 & pids+=($!); wait_port $mq_port

declare -A instance_pid
# One gateway instance in fleet mode: $1 client id, $2 database, $3 web port, $4 share group, $5 EHR base.
start_instance() {
  Storage__Provider=Postgres Storage__ConnectionString="$(pg_cs "$2");Maximum Pool Size=20${PG_EXTRA:-}" \
    Mqtt__Mode=External Mqtt__Host=127.0.0.1 Mqtt__Port=$mq_port Mqtt__SharedGroup="$4" Mqtt__ClientId="$1" \
    Mqtt__Username=$gw_user Mqtt__Password=$gw_secret Web__Urls="http://127.0.0.1:$3" Ehr__BaseUrl="$5" Ehr__Profile="$PROFILE" \
    $gw run >"$work/$1.log" 2>&1 &
  pids+=($!); instance_pid[$1]=$!
  for _ in $(seq 1 600); do grep -qs "Connected to MQTT broker" "$work/$1.log" && return 0; sleep 0.1; done
  echo "$1 never subscribed:" >&2; tail -20 "$work/$1.log" >&2; return 1
}
# Allocated bytes, CPU seconds (user + system), garbage collections (gen2 of them) and GC pause seconds so far, from
# the instance's /metrics.
runtime_snapshot() {
  curl -sf http://127.0.0.1:19321/metrics | awk '/^dotnet_gc_heap_total_allocated_bytes_total[{ ]/ { a = $NF }
    /^dotnet_process_cpu_time_seconds_total[{ ]/ { c += $NF }
    /^dotnet_gc_collections_total[{ ]/ { g += $NF; if ($0 ~ /gen2/) g2 += $NF }
    /^dotnet_gc_pause_time_seconds_total[{ ]/ { p += $NF } END { printf "%.0f %.3f %d %d %.3f\n", a, c, g, g2, p }'
}
stop_instance() { kill "${instance_pid[$1]}"; wait "${instance_pid[$1]}" 2>/dev/null || true; }
# Waits until `pg_sql $1 "$2"` prints at least $3.
wait_for() {
  local deadline=$((SECONDS + TIMEOUT)) n
  while n=$(pg_sql "$1" "$2"); [ "$n" -lt "$3" ]; do
    [ $SECONDS -lt $deadline ] || { echo "timed out: $2 = $n of $3" >&2; return 1; }
    sleep 1   # psql every second: polling must not take the CPU the instances are measured on
  done
}
publish() { # $1 readings: the simulator through mosquitto, as fast as 100 publishes in flight per connection allow
  $sim --port $mq_port "${fleet[@]}" --rate 0 --inflight 100 --count "$1" --report 2>"$work/sim.log" | tr -d '\n ' | sed 's/$/\n/'
}
publish_warm() { # $1 readings of the warm-up devices
  [ "$1" -gt 0 ] || return 0
  $sim --port $mq_port "${warm[@]}" --rate 0 --inflight 100 --count "$1" 2>>"$work/sim.log" >/dev/null
}
main_devices="device_id NOT LIKE 'warm-%'"

raw_s=; gw_s=; one_s=; two_s=
if [[ $PARTS == *ingest* ]]; then
echo "== 1a. raw: $COUNT readings through mosquitto to mosquitto_sub (QoS 1, \$share/raw/vitals/#)"
mosquitto_sub -h 127.0.0.1 -p $mq_port -V mqttv5 -q 1 -u $gw_user -P $gw_secret -t "\$share/raw/vitals/#" -C "$COUNT" -F '%U' \
  >"$work/raw.times" 2>"$work/raw.err" & sub=$!; pids+=($sub)
sleep 1   # subscribed: mosquitto_sub says nothing when its SUBACK comes
publish "$COUNT" >"$work/raw.json"; cat "$work/raw.json"
wait $sub
raw_s=$(awk 'NR == 1 { first = $1 } END { printf "%.3f", $1 - first }' "$work/raw.times")
raw_n=$(wc -l <"$work/raw.times")

echo "== 1b. gateway: the same into one instance in fleet mode (PostgreSQL, unbound devices: quarantine, no delivery)"
pg_createdb ingest
start_instance gw-ingest ingest 19321 ingest "http://127.0.0.1:9/fhir/R4"
publish_warm "$WARMUP"
wait_for ingest "SELECT count(*) FROM readings" "$WARMUP"
runtime_snapshot >"$work/runtime.before"
publish "$COUNT" >"$work/gateway.json"; cat "$work/gateway.json"
wait_for ingest "SELECT count(*) FROM readings WHERE $main_devices" "$COUNT"
runtime_snapshot >"$work/runtime.after"
gw_s=$(pg_sql ingest "SELECT round(extract(epoch FROM max(received_at) - min(received_at))::numeric, 3) FROM readings WHERE $main_devices")
gw_n=$(pg_sql ingest "SELECT count(*) FROM readings WHERE $main_devices")
# Diagnostics: the group commits (warm-up included): how many, their mean size and duration, their total time.
curl -sf http://127.0.0.1:19321/metrics | awk '/^vitals_ingest_commit_size_count/ { n = $2 } /^vitals_ingest_commit_size_sum/ { m = $2 }
  /^vitals_ingest_commit_duration_seconds_sum/ { d = $2 } END { if (n) printf "commits: %d, %.0f messages each, %.1f ms each, %.2f s in all\n", n, m / n, 1000 * d / n, d }'
# What the measured readings cost the instance (the runtime's meter, docs/operations.md): managed bytes allocated and
# CPU time a reading, the waiting for PostgreSQL's second-long poll included.
paste "$work/runtime.before" "$work/runtime.after" | awk -v n="$COUNT" '{ printf "instance: %.0f bytes allocated and %.0f us of CPU a reading; %d garbage collections (%d gen2), %.0f ms paused\n", ($6 - $1) / n, 1e6 * ($7 - $2) / n, $8 - $3, $9 - $4, 1000 * ($10 - $5) }'
echo "instance: peak RSS $(awk '/^VmHWM/ { printf "%.1f MB", $2 / 1024 }' "/proc/${instance_pid[gw-ingest]}/status")"
stop_instance gw-ingest
[ "$raw_n" = "$COUNT" ] && [ "$gw_n" = "$COUNT" ] || { echo "ingest lost messages: raw $raw_n, gateway $gw_n of $COUNT" >&2; exit 1; }
fi

if [[ $PARTS == *delivery* ]]; then

echo "== 2. the delivery backlog: $DELIVERY_COUNT readings ingested (quarantined), copied for each run"
pg_createdb backlog
start_instance gw-backlog backlog 19322 backlog "http://127.0.0.1:9/fhir/R4"
publish "$DELIVERY_COUNT" >/dev/null
publish_warm "$WARMUP"
wait_for backlog "SELECT count(*) FROM readings" $((DELIVERY_COUNT + WARMUP))
stop_instance gw-backlog
pg_createdb -T backlog one
pg_createdb -T backlog two
node simulators/SandboxEhr/server.mjs --port $ehr_port --medplum none >/dev/null 2>"$work/ehr.log" & pids+=($!); wait_port $ehr_port
$bench fault-proxy --ehr "http://127.0.0.1:$ehr_port/fhir/R4" --port $proxy_port --latency-ms "$LATENCY_MS" >/dev/null & pids+=($!)
wait_port $proxy_port

deliver() { # $1 instances, $2 database: writes "seconds delivered distinct-server-ids in-EHR per-instance..." to $work/$2
  curl -sf -X POST "http://127.0.0.1:$ehr_port/\$admin/reset" >/dev/null
  local i names=()
  for i in $(seq 1 "$1"); do
    start_instance "gw-$2-$i" "$2" $((19330 + 10 * $1 + i)) "deliver-$2" "http://127.0.0.1:$proxy_port/fhir/R4"; names+=("gw-$2-$i")
  done
  # Warm-up, untimed: the warm-up devices' readings first, until the EHR has them all.
  if [ "$WARMUP" -gt 0 ]; then
    $bench bind --connection-string "$(pg_cs "$2")" --ids "$work/warm-ids" >/dev/null
    wait_for "$2" "SELECT count(*) FROM readings WHERE state IN ('delivered', 'dead')" "$WARMUP"
  fi
  # Every instance is up and idle; binding the devices now moves the backlog to the outbox for them all at once.
  $bench bind --connection-string "$(pg_cs "$2")" --ids "$work/ids"
  wait_for "$2" "SELECT count(*) FROM readings WHERE state IN ('delivered', 'dead')" $((DELIVERY_COUNT + WARMUP))
  local dead shares=()
  dead=$(pg_sql "$2" "SELECT count(*) FROM readings WHERE state = 'dead'")
  [ "$dead" = 0 ] || { echo "$dead readings became dead letters in run $2" >&2; return 1; }
  for i in $(seq 1 "$1"); do
    shares+=("$(curl -sf "http://127.0.0.1:$((19330 + 10 * $1 + i))/metrics" | awk '/^vitals_readings_delivered_total/ { s += $2 } END { print s + 0 }')")
  done
  # Diagnostics: the CPU each instance used (user + system, from its start), and the longest pause between two
  # acknowledgements (a stall, as against a steady rate).
  local cpu=()
  for n in "${names[@]}"; do cpu+=("$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/${instance_pid[$n]}/stat")"); done
  echo "$1 instance(s): CPU seconds ${cpu[*]} (warm-up included); longest pause between two acknowledgements $(pg_sql "$2" "SELECT round(extract(epoch FROM max(gap))::numeric, 3) FROM (SELECT delivered_at - lag(delivered_at) OVER (ORDER BY delivered_at) AS gap FROM readings WHERE state = 'delivered' AND $main_devices) g") s"
  for n in "${names[@]}"; do stop_instance "$n"; done
  echo >"$work/$2" "$(pg_sql "$2" "SELECT round(extract(epoch FROM max(delivered_at) - min(delivered_at))::numeric, 3), count(*), count(DISTINCT server_ids) FROM readings WHERE state = 'delivered' AND $main_devices" | tr '|' ' ') \
$(( $(curl -sf "http://127.0.0.1:$ehr_port/fhir/R4/Observation?_summary=count" | jq .total) - WARMUP )) ${shares[*]}"
}
echo "== 2a. one instance delivers the backlog"
deliver 1 one; read -r one_s one_n one_ids one_ehr one_share <"$work/one"
echo "{\"instances\": 1, \"seconds\": $one_s, \"delivered\": $one_n, \"distinct_server_ids\": $one_ids, \"in_ehr\": $one_ehr, \"per_instance\": [$one_share]}"
echo "== 2b. two instances deliver the same backlog"
deliver 2 two; read -r two_s two_n two_ids two_ehr two_a two_b <"$work/two"
echo "{\"instances\": 2, \"seconds\": $two_s, \"delivered\": $two_n, \"distinct_server_ids\": $two_ids, \"in_ehr\": $two_ehr, \"per_instance\": [$two_a, $two_b]}"
for run in "$one_n $one_ids $one_ehr" "$two_n $two_ids $two_ehr"; do
  [ "$run" = "$DELIVERY_COUNT $DELIVERY_COUNT $DELIVERY_COUNT" ] || { echo "not every reading in the EHR exactly once: $run" >&2; exit 1; }
done
fi

echo "== fleet figures (load average now $(cut -d' ' -f1-3 /proc/loadavg))"
awk -v ingest="$raw_s" -v delivery="$one_s" -v c="$COUNT" -v rs="$raw_s" -v gs="$gw_s" -v d="$DELIVERY_COUNT" -v os="$one_s" -v ts="$two_s" -v l="$LATENCY_MS" -v p="$PROFILE" 'BEGIN {
  print "| figure | measured | limit | ratio to limit |"
  print "|---|---|---|---|"
  if (ingest != "") {
  raw = (c - 1) / rs; gwr = (c - 1) / gs
  printf "| ingest through mosquitto, raw (mosquitto_sub) | %.0f msg/s (%d in %.2f s) | - | - |\n", raw, c, rs
  printf "| ingest through mosquitto, one gateway instance (PostgreSQL), committed | %.0f readings/s (%d in %.2f s) | - | - |\n", gwr, c, gs
  printf "| gateway / raw | %.2f | >= 0.80 | %.2f |\n", gwr / raw, gwr / raw / 0.80
  }
  if (delivery != "") {
  one = (d - 1) / os; two = (d - 1) / ts
  printf "| delivery, %s, %d ms added, one instance | %.1f Observations/s (%d in %.2f s) | - | - |\n", p, l, one, d, os
  printf "| delivery, %s, %d ms added, two instances | %.1f Observations/s (%d in %.2f s) | - | - |\n", p, l, two, d, ts
  printf "| two / one | %.2f | >= 1.8 | %.2f |\n", two / one, two / one / 1.8
  }
}'
