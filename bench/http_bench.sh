#!/usr/bin/env bash
# HTTP throughput of medai on loopback with wrk (keep-alive, 2 threads, 64
# connections), side by side with Orthanc 1.10's REST server on the same
# machine in the same run. Prints a Markdown table for docs/benchmarks.md.
#
#   bench/http_bench.sh [seconds]     (needs a release build: scripts/build.sh release)
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
medai=./build/release/src/cli/medai
[ -x "$medai" ] || { echo "build first: scripts/build.sh release" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: scripts/install-deps.sh" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# medai with an API token for the authenticated endpoint.
MEDAI_LOG_LEVEL=warn MEDAI_DICOM_ENABLED=false "$medai" serve --port 0 --data-dir "$work/var" --ready-file "$work/medai.port" \
  >"$work/medai.out" 2>"$work/medai.err" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/medai.port" ] && break; sleep 0.1; done
port=$(head -1 "$work/medai.port")
token=$("$medai" admin issue-token --data-dir "$work/var" --user admin --name bench)

# Orthanc (if installed): REST on loopback, no auth, throw-away storage.
orthanc_port=""
if command -v Orthanc >/dev/null; then
  orthanc_port=$((port + 1))
  cat >"$work/orthanc.json" <<JSON
{ "Name": "bench", "StorageDirectory": "$work/orthanc", "IndexDirectory": "$work/orthanc",
  "HttpPort": $orthanc_port, "DicomPort": $((port + 2)), "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false, "HttpServerEnabled": true, "Plugins": [] }
JSON
  Orthanc "$work/orthanc.json" >"$work/orthanc.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$orthanc_port/system" >/dev/null && break; sleep 0.1; done
fi

run() {  # name url [header]
  local out
  if [ -n "${3:-}" ]; then
    out=$(wrk -t2 -c64 -d"${duration}s" --latency -H "$3" "$2")
  else
    out=$(wrk -t2 -c64 -d"${duration}s" --latency "$2")
  fi
  local rps p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(grep -E "Socket errors|Non-2xx" <<<"$out" | tr '\n' ' ' || true)
  printf '| %s | %s | %s | %s |\n' "$1" "$rps" "$p99" "${errors:-none}"
  echo "$rps" >"$work/rps.$4"
}

echo "wrk -t2 -c64 -d${duration}s, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| endpoint | req/s | p99 latency | errors |"
echo "|---|---|---|---|"
run "medai GET /healthz" "http://127.0.0.1:$port/healthz" "" healthz
run "medai GET /api/v1/me (bearer token, catalog lookup)" "http://127.0.0.1:$port/api/v1/me" \
  "Authorization: Bearer $token" me
if [ -n "$orthanc_port" ]; then
  run "Orthanc 1.10 GET /system" "http://127.0.0.1:$orthanc_port/system" "" orthanc
  echo
  awk -v a="$(cat "$work/rps.healthz")" -v b="$(cat "$work/rps.orthanc")" \
    'BEGIN { printf "ratio medai /healthz : Orthanc /system = %.2f\n", a / b }'
fi
