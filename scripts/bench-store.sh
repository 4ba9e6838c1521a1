#!/usr/bin/env bash
# The raw store insert rate (docs/performance.md "Store insert rate"): bound readings committed by one writer through
# the store API, the same batch sizes on SQLite (a file, synchronous=FULL) and on PostgreSQL (a throwaway cluster on
# loopback: Debian's postgresql, fsync and synchronous_commit on, its defaults otherwise).
# Usage: bash scripts/bench-store.sh [batch sizes, default 1,10,100,500] [readings per size, default 20000] [seconds cap, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
batches=${1:-1,10,100,500}
readings=${2:-20000}
seconds=${3:-10}
source scripts/bench-common.sh

pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pgdir=$(mktemp -d)   # not under $work: the postgres user must reach it
password=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$password" > "$pgdir/pw"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$pgdir"
as_pg "$pgbin/initdb" -D "$pgdir/data" -U bench --pwfile="$pgdir/pw" --auth=scram-sha-256 --no-locale -E UTF8 >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null
stop_pg() { as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$pgdir"; cleanup; }
trap stop_pg EXIT INT TERM
PGPASSWORD=$password "$pgbin/createdb" -h 127.0.0.1 -p "$port" -U bench bench

$bench store-insert --provider sqlite --store "$work/sqlite" --batches "$batches" --readings "$readings" --seconds "$seconds"
$bench store-insert --provider postgres --connection-string "Host=127.0.0.1;Port=$port;Database=bench;Username=bench;Password=$password" \
  --batches "$batches" --readings "$readings" --seconds "$seconds"
