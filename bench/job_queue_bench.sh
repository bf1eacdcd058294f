#!/usr/bin/env bash
# Job queue throughput and queue latency of the real server: 10,000 tiny
# jobs (built-in test.noop type) through the queue with the default workers
# (jobs.workers = 2), in two phases:
#   stream  — jobs submitted over REST one after another (keep-alive) while
#             the workers run: jobs/s end to end and p50/p99 queue latency
#             (created_at → started_at of the first claim);
#   backlog — the same number queued while the server is down, then drained
#             at start-up: pure claim/run/record throughput.
# Both phases check that no job was lost (all succeeded) and none ran twice
# (attempts = 1 for every job). Prints a Markdown table for docs/benchmarks.md.
#
#   bench/job_queue_bench.sh [jobs]     (needs a release build: scripts/build.sh release medai)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${1:-10000}"
medai=./build/release/src/cli/medai
[ -x "$medai" ] || { echo "build first: scripts/build.sh release medai" >&2; exit 1; }

work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }; rm -rf "$work"; }
trap cleanup EXIT

start_server() {
  rm -f "$work/medai.port"
  MEDAI_LOG_LEVEL=warn MEDAI_DICOM_ENABLED=false MEDAI_JOBS_ENABLE_TEST_HANDLERS=true \
    "$medai" serve --port 0 --data-dir "$work/var" --ready-file "$work/medai.port" >"$work/medai.out" 2>"$work/medai.err" &
  pid=$!
  for _ in $(seq 200); do [ -s "$work/medai.port" ] && break; sleep 0.1; done
  port=$(head -1 "$work/medai.port" | cut -d' ' -f1)
}
stop_server() { kill "$pid"; wait "$pid" || true; pid=""; }

start_server
token=$("$medai" admin issue-token --data-dir "$work/var" --user admin --name bench)
/usr/bin/python3 bench/job_queue_bench.py stream --port "$port" --token "$token" --jobs "$jobs" \
  --catalog "$work/var/catalog.sqlite" >"$work/stream.md"
stop_server
/usr/bin/python3 bench/job_queue_bench.py enqueue-offline --jobs "$jobs" --catalog "$work/var/catalog.sqlite"
start_server
/usr/bin/python3 bench/job_queue_bench.py backlog --jobs "$jobs" --catalog "$work/var/catalog.sqlite" >"$work/backlog.md"
stop_server

echo "| phase | jobs | jobs/s | p50 queue latency | p99 queue latency | lost | ran twice |"
echo "|---|---|---|---|---|---|---|"
cat "$work/stream.md" "$work/backlog.md"
