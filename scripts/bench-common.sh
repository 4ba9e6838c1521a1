# Sourced by the bench-*.sh scripts (from the repository root): a scratch folder and child processes cleaned up on
# exit, a Release build, the sandbox EHR's packages, the built executables, and a wait for a loopback port.
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

dotnet build Gateway.sln -c Release -nologo -v q >/dev/null
bash simulators/SandboxEhr/install.sh
bin=Release/net10.0
gw="dotnet Gateway/bin/$bin/Vitals.Gateway.dll"
sim="dotnet simulators/DeviceSimulator/bin/$bin/Vitals.DeviceSimulator.dll"
bench="dotnet benchmarks/Gateway.Benchmarks/bin/$bin/Gateway.Benchmarks.dll"
wait_port() { for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }

# Load tests drive one gateway with a fleet's worth of connections as fast as it commits: the embedded broker's
# Mqtt:Limits are sized for a clinic here (README "Sizing the embedded broker for a clinic"), not a home hub, so that
# the figures measure ingest, not the per-connection rate limit.
export Mqtt__Limits__MaxConnections=2000 Mqtt__Limits__PublishesPerSecond=1000000 Mqtt__Limits__PublishBurst=1000000 \
  Mqtt__Limits__ReceiveMaximum=65535

# start_postgres: a throwaway PostgreSQL cluster (Debian's postgresql, the newest installed) on a free loopback port,
# fsync and synchronous_commit on, its defaults otherwise; stopped and removed on exit. Sets pg_port and pg_password;
# pg_createdb NAME makes a database, pg_cs NAME prints its Npgsql connection string, pg_sql NAME SQL runs a query
# (unaligned, no headers).
start_postgres() {
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  pgdir=$(mktemp -d)   # not under $work: the postgres user must reach it
  pg_password=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
  echo "$pg_password" > "$pgdir/pw"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$pgdir"
  as_pg "$pgbin/initdb" -D "$pgdir/data" -U bench --pwfile="$pgdir/pw" --auth=scram-sha-256 --no-locale -E UTF8 >/dev/null
  pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -o "-p $pg_port -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null
  trap stop_postgres EXIT INT TERM
}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop_postgres() { as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$pgdir"; cleanup; }
pg_createdb() { PGPASSWORD=$pg_password "$pgbin/createdb" -h 127.0.0.1 -p "$pg_port" -U bench "$@"; }
pg_cs() { echo "Host=127.0.0.1;Port=$pg_port;Database=$1;Username=bench;Password=$pg_password"; }
pg_sql() { PGPASSWORD=$pg_password "$pgbin/psql" -h 127.0.0.1 -p "$pg_port" -U bench -d "$1" -Atq -c "$2"; }
