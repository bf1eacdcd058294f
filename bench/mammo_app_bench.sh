#!/usr/bin/env bash
# Speed of the mammography-screening app on full-resolution 4-view exams
# (2000×1600 at 0.1 mm, 12-bit): the whole app path as app.run calls it
# (run_imaging_app: load + VOI → fit to the model grid → one batched model
# call → hot spots → JSON result with heat-map PNGs + SR), through
# `medai evaluate --package` on a few generated exams. Target (issue #7):
# ≤ 5 s per exam on 2 cores. Prints seconds per exam, the stage breakdown
# and the load average (the machine may be shared).
# Usage: bench/mammo_app_bench.sh [--exams 3] [--threads 2] [--package apps/…/….medai]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
medai="${MEDAI_BINARY:-$here/build/release/src/cli/medai}"
exams=3 threads=2
pkg="$(ls "$here"/apps/mammography-screening/mammography-screening-*.medai 2>/dev/null | sort -V | tail -1 || true)"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --exams) exams="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --package) pkg="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[[ -f "$pkg" ]] || { echo "no package (apps/mammography-screening/*.medai or --package)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "generating $exams full-resolution exams (seed 515151)…"
"$medai" synth mammo --count "$exams" --seed 515151 --threads "$threads" --out "$work/studies" >/dev/null
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
"$medai" evaluate --package "$pkg" --studies "$work/studies" --threads "$threads" --no-baseline \
  --out "$work/report.json" >/dev/null
end=$(date +%s.%N)
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$work/report.json" "$start" "$end" "$exams" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
wall = float(sys.argv[3]) - float(sys.argv[2])
print(f"seconds per exam (app path): {r['seconds_per_exam']:.2f}  (target 5.0)")
for stage, s in sorted(r.get("stage_seconds_per_exam", {}).items(), key=lambda kv: -kv[1]):
    print(f"  {stage:24s} {s:6.2f} s")
print(f"wall time incl. package unpack and model load: {wall:.1f} s for {sys.argv[4]} exams")
PY
