#!/usr/bin/env bash
# DIMSE ingest A/B: two medai binaries (e.g. before and after a change)
# receive the same CT instances from `storescu` (one association), taking
# turns PAIRS times, each into a fresh data folder; then DCMTK's own
# `storescp --ignore` (receives and discards) as the protocol's ceiling.
# Single changes are judged on these interleaved pairs: the full
# dicom_ingest_bench.sh moves ±20 % between runs with this disk.
#
#   bench/dimse_ingest_ab.sh OLD_MEDAI NEW_MEDAI [pairs=3] [count=1000]
set -euo pipefail
cd "$(dirname "$0")/.."
old="$1" new="$2" pairs="${3:-3}" count="${4:-1000}"
export TCP_NODELAY=1
work=$(mktemp -d /var/tmp/medai-dimse-ab.XXXXXX)
trap 'pkill -P $$ 2>/dev/null || true; rm -rf "$work"' EXIT
/usr/bin/python3 bench/make_ct_instances.py "$work/data" --count "$count" --stow-batch 50 >/dev/null
rate() { awk -v n="$count" -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", n / (b - a) }'; }
run() {  # label binary
  local d="$work/run" port=14391
  rm -rf "$d"; mkdir -p "$d"
  MEDAI_LOG_LEVEL=warn MEDAI_DICOM_PORT=$port "$2" serve --port 0 --data-dir "$d/data" --ready-file "$d/port" \
    >"$d/out" 2>"$d/err" &
  local pid=$!
  for _ in $(seq 200); do [ -s "$d/port" ] && break; sleep 0.1; done
  "$2" dicom nodes add --data-dir "$d/data" --name ab --ae AB --host 127.0.0.1 --port 1 --institution platform >/dev/null
  local t0 t1; t0=$(date +%s.%N)
  storescu -R -aet AB -aec MEDAI +sd +r +sp '*.dcm' 127.0.0.1 $port "$work/data/files"
  t1=$(date +%s.%N)
  kill $pid; wait $pid 2>/dev/null || true
  echo "$1 $(rate "$t0" "$t1") instances/s"
}
for i in $(seq "$pairs"); do run old "$old"; run new "$new"; done
storescp --ignore 14392 & scp=$!
sleep 0.5
t0=$(date +%s.%N); storescu -R -aet AB -aec ANY +sd +r +sp '*.dcm' 127.0.0.1 14392 "$work/data/files"; t1=$(date +%s.%N)
kill $scp; wait $scp 2>/dev/null || true
echo "storescp --ignore (protocol ceiling) $(rate "$t0" "$t1") instances/s"
