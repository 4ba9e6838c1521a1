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

start_postgres
pg_createdb bench

$bench store-insert --provider sqlite --store "$work/sqlite" --batches "$batches" --readings "$readings" --seconds "$seconds"
$bench store-insert --provider postgres --connection-string "$(pg_cs bench)" \
  --batches "$batches" --readings "$readings" --seconds "$seconds"
