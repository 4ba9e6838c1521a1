#!/usr/bin/env bash
# Installs the sandbox EHR's npm packages, exactly as pinned in package-lock.json (npm ci).
# Idempotent: does nothing when node_modules already matches the lock file. Quiet unless something fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "sandbox-ehr install: node and npm are required (Node.js >= 20; Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 20 ]; then
  echo "sandbox-ehr install: Node.js >= 20 is required, found $(node --version)" >&2
  exit 1
fi

stamp=node_modules/.sandbox-ehr-lock.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d node_modules/@medplum/fhir-router ]; then
  exit 0
fi

# Medplum 5.2 declares Node >= 22 but runs on Node 20 (server.mjs supplies the one missing global): engine checks off.
log="$(mktemp)"
if ! npm ci --no-audit --no-fund --engine-strict=false --loglevel=error >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  echo "sandbox-ehr install: npm ci failed" >&2
  exit 1
fi
rm -f "$log"
echo "$want" >"$stamp"
