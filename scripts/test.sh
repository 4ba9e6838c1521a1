#!/usr/bin/env bash
# Runs every test: installs what the tests need (Debian's mosquitto and python3-paho-mqtt for the broker tests, dbus-daemon for the
# BLE simulator's private bus, tzdata, postgresql for the PostgreSQL store, the sandbox EHR's npm packages), builds the solution and runs the xunit suite.
# Ends with one line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need_apt+=(mosquitto)
command -v mosquitto_pub >/dev/null 2>&1 || need_apt+=(mosquitto-clients)
# The embedded broker's tests publish with Debian's paho client and its defaults (/usr/bin/python3).
/usr/bin/python3 -c 'import paho.mqtt' >/dev/null 2>&1 || need_apt+=(python3 python3-paho-mqtt)
command -v dbus-daemon >/dev/null 2>&1 || need_apt+=(dbus-daemon)   # private bus for the BLE simulator (no radio here)
[ -f /usr/share/zoneinfo/Europe/Berlin ] || need_apt+=(tzdata)   # decoder vectors read times in IANA zones
command -v systemd-analyze >/dev/null 2>&1 || need_apt+=(systemd)   # the packaging tests verify the unit file
command -v dpkg-deb >/dev/null 2>&1 || need_apt+=(dpkg)
# The PostgreSQL store's tests start a throwaway cluster (initdb, pg_ctl) on loopback, as the postgres user when root.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need_apt+=(postgresql)
# The pairing page's browser tests drive Debian's chromium headless (Playwright with ExecutablePath, no downloaded browser).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing ${need_apt[*]} (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

echo "== sandbox EHR packages (npm)"
bash simulators/SandboxEhr/install.sh

echo "== axe-core for the browser tests (npm)"
(cd Gateway.Tests/Web/axe && npm ci --no-audit --no-fund --silent)

echo "== build"
dotnet build Gateway.sln -c Release -nologo -v q

echo "== test"
log=$(mktemp)
set +e
dotnet test Gateway.sln -c Release --no-build -nologo --logger "console;verbosity=normal" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# The plain closing line CI reads, summed over the test assemblies.
# awk alone: a grep that finds no "Failed:" line would end this script under pipefail.
passed=$(awk '$1 == "Passed:" && $2 ~ /^[0-9]+$/ {s += $2} END {print s + 0}' "$log")
failed=$(awk '$1 == "Failed:" && $2 ~ /^[0-9]+$/ {s += $2} END {print s + 0}' "$log")
# CI keeps only the end of the output: repeat each failed test's name and message just above the closing line.
if [ "${failed:-0}" != 0 ]; then
  echo "== failed tests"
  awk '/^  Failed [A-Za-z]/ {on = 1; n = 0} on && /^  Stack Trace:/ {on = 0} on && n < 25 {print; n++}' "$log"
fi
rm -f "$log"
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$rc"
