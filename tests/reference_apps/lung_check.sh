#!/usr/bin/env bash
# CI check of the committed lung-nodule-screening package (no retraining):
#  1. the signature verifies against the reference public key (vendor medai-reference);
#  2. `medai evaluate --package` on a small held-out set (fixed seed 9101, never used
#     in training, 4 reduced-matrix scans as the generator draws them) meets the floor:
#     every study loads (no failures), the model's and the baseline's blocks are
#     reported, the baseline's CPM stays <= 0.6 (the data are hard enough, issue #7),
#     and the model's CPM >= LUNG_CPM_FLOOR (default 0.25). Package 1.1.0 scores
#     CPM 0.312 on these 4 scans (baseline 0.221) and 0.706 on the 50-scan
#     held-out set (docs/apps/lung-nodule-screening.md); the floor sits below the
#     4-scan figure because 4 scans give a noisy CPM.
# Usage: tests/reference_apps/lung_check.sh [path/to/medai]   (about 1-2 min on 2 cores)
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
medai="${1:-${MEDAI_BINARY:-$here/build/release/src/cli/medai}}"
app=lung-nodule-screening
package="$(ls "$here/apps/$app/$app-"*.medai 2>/dev/null | sort -V | tail -1 || true)"
[[ -n "$package" ]] || { echo "no committed $app package (scripts/reference-apps/lung.sh builds it)" >&2; exit 1; }
floor="${LUNG_CPM_FLOOR:-0.25}"
work="$(mktemp -d /tmp/lung-check.XXXXXX)"
trap 'rm -rf "$work"' EXIT

"$medai" app verify "$package" --public-key "$here/apps/medai-reference.pub.json" --vendor medai-reference
"$medai" synth chest-ct --seed 9101 --count 4 --matrix 256 --threads 2 --out "$work/studies" >/dev/null
"$medai" evaluate --package "$package" --studies "$work/studies" --threads 2 --out "$work/report.json" >/dev/null
/usr/bin/python3 - "$work/report.json" "$floor" <<'PY'
import json, sys
report, floor = json.load(open(sys.argv[1])), float(sys.argv[2])
model, baseline = report["detection"], report["baseline"]
op = model["operating_point"]
print(f"model CPM {model['cpm']:.3f} (floor {floor}), baseline CPM {baseline['cpm']:.3f}; model operating point: "
      f"sensitivity {op['sensitivity']:.3f} at {op['false_positives_per_scan']:.1f} FP/scan")
assert not report["failures"], "a study failed to load"
assert report["splits"]["test"]["cases"] == 4, "not every study was evaluated"
assert baseline["cpm"] <= 0.6, "the baseline scores too high: the data are too easy"
assert model["cpm"] >= floor, "model CPM below the floor"
PY
echo "lung-nodule-screening check passed"
